import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRepo } from './git-fixture.js';
import { runCli } from './helpers/cli.js';
import { queryRows, tempDir } from './helpers/store.js';
import { openStore } from '../src/store/connect.js';

/** `dora collect git` on bad and unusual input: each is named, and the rest of the work goes on. */

const tmp = tempDir('dora-git-input-');
const home = join(tmp.dir, 'store');
const dora = (...args: string[]) => runCli(['--home', home, ...args]);
let origin: TestRepo;
const sha: string[] = [];

async function rows(query: string) {
  const store = await openStore({ home });
  try {
    return await queryRows(store.client, query);
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  origin = TestRepo.init(join(tmp.dir, 'origin'));
  for (let day = 1; day <= 5; day++) sha.push(origin.commit(`Change ${day}`, `2026-04-0${day}T10:00:00Z`));
  origin.tag('release-1', sha[1]!, '2026-04-02T12:00:00Z');
  origin.tag('release-2', sha[4]!, '2026-04-05T12:00:00Z');
  origin.git(['tag', 'v-tree', 'HEAD^{tree}']);
  const blob = origin.git(['hash-object', '-w', '--stdin'], { input: 'not a commit\n' });
  origin.tag('v-blob', blob, '2026-04-05T13:00:00Z');
});

afterAll(() => tmp.remove());

describe('dora collect git, bad input', () => {
  it('says a folder is not a git repository, with exit code 2', async () => {
    const plain = join(tmp.dir, 'plain');
    mkdirSync(plain);
    const result = await dora('collect', 'git', '--repo', plain, '--deploy-tags', 'v*');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${plain} is not a git repository`);
    expect(result.stderr).toContain('hint: pass the folder of a clone, or of a bare repository, with --repo');
    const missing = await dora('collect', 'git', '--repo', join(tmp.dir, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`error: ${join(tmp.dir, 'nowhere')}: no such directory`);
  });

  it('warns when the pattern matches no tag, naming the tags that exist, and still reads the commits', async () => {
    const result = await dora('collect', 'git', '--repo', origin.dir, '--service', 'api', '--deploy-tags', 'prod/*');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: no tag matches the deploy tag pattern; no deployments read (repo=origin, pattern=prod/*, tags=4 tags, e.g. v-blob, release-2, release-1, v-tree)',
    );
    expect(result.stderr).toContain('collected from git: 5 commit');
  });

  it('skips a deploy tag on a tree or a blob with a warning, and keeps the others', async () => {
    const result = await dora('collect', 'git', '--repo', origin.dir, '--service', 'api', '--deploy-tags', 'v-*', '--deploy-tags', 'release-*');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: deploy tag does not point at a commit; skipped \(repo=origin, tag=v-tree, points_at=tree [0-9a-f]{12}\)/);
    expect(result.stderr).toMatch(/warning: deploy tag does not point at a commit; skipped \(repo=origin, tag=v-blob, points_at=blob [0-9a-f]{12}\)/);
    expect(await rows(`SELECT id, sha FROM deployments FINAL ORDER BY id`)).toEqual([
      { id: 'git:api:release-1', sha: sha[1] },
      { id: 'git:api:release-2', sha: sha[4] },
    ]);
  });

  it('reads a shallow clone, says what is missing and how to fix it, and rereads once unshallowed', async () => {
    const clone = join(tmp.dir, 'shallow');
    new TestRepo(tmp.dir).git(['clone', '-q', '--depth', '2', `file://${origin.dir}`, clone]);
    const result = await dora('collect', 'git', '--repo', clone, '--repo-name', 'acme/shallow');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: shallow clone: history before its boundary is missing, so older changes have no lead time (repo=acme/shallow, boundary_commits=1, fix=git -C ${clone} fetch --unshallow)`,
    );
    // Two commits in the clone; the boundary commit keeps its real parent, which the clone lacks.
    expect(await rows(`SELECT sha, parents FROM commits FINAL WHERE repo = 'acme/shallow' ORDER BY authored_at`)).toEqual([
      { sha: sha[3], parents: [sha[2]] },
      { sha: sha[4], parents: [sha[3]] },
    ]);
    new TestRepo(clone).git(['fetch', '-q', '--unshallow']);
    const again = await dora('collect', 'git', '--repo', clone, '--repo-name', 'acme/shallow');
    expect(again.stderr).toContain('the clone is no longer shallow; reading the whole history again (repo=acme/shallow)');
    expect(again.stderr).toContain('collected from git: 5 commit');
  });

  it('reads a bare repository, named after its folder', async () => {
    const bare = join(tmp.dir, 'payments.git');
    new TestRepo(tmp.dir).git(['clone', '-q', '--bare', origin.dir, bare]);
    const result = await dora('collect', 'git', '--repo', bare, '--deploy-tags', 'release-*');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('read git repository (repo=payments, service=payments, new_commits=5, deploy_tags=2, new_deployments=2)');
  });

  it('says which branches exist when --branch names none', async () => {
    const result = await dora('collect', 'git', '--repo', origin.dir, '--branch', 'develop');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: branch develop not found in origin; branches: main');
  });

  it('collects every repository of the config, and reports the one it cannot read with exit code 3', async () => {
    const web = TestRepo.init(join(tmp.dir, 'web'));
    web.commit('Web scaffold', '2026-04-06T09:00:00Z');
    web.tag('v1', web.head(), '2026-04-06T10:00:00Z');
    const config = join(tmp.dir, 'dora.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        services: { storefront: { repos: ['acme/web'] } },
        sources: { git: [{ repo: join(tmp.dir, 'gone') }, { repo: web.dir, name: 'acme/web', deployTags: 'v*' }] },
      }),
    );
    const result = await dora('--config', config, 'collect', 'git');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`error: cannot read git repository (repo=${join(tmp.dir, 'gone')}, reason=${join(tmp.dir, 'gone')}: no such directory)`);
    expect(result.stderr).toContain(`error: 1 of 2 git repositories could not be read: ${join(tmp.dir, 'gone')}`);
    // The catalog names the service of acme/web.
    expect(await rows(`SELECT id, service, repo FROM deployments FINAL WHERE repo = 'acme/web'`)).toEqual([
      { id: 'git:storefront:v1', service: 'storefront', repo: 'acme/web' },
    ]);
  });

  it('names a bad config entry and its field', async () => {
    const config = join(tmp.dir, 'bad.config.json');
    writeFileSync(config, JSON.stringify({ sources: { git: [{ repo: origin.dir, deployTags: 3 }] } }));
    const result = await dora('--config', config, 'collect', 'git');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.git.0.deployTags');
  });

  it('says when git itself is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(tmp.dir, 'no-programs-here');
    try {
      const result = await dora('collect', 'git', '--repo', origin.dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('error: the `git` program was not found');
      expect(result.stderr).toContain('hint: install git and make sure it is on PATH');
    } finally {
      process.env.PATH = path;
    }
  });

  it('shows examples in --help', async () => {
    const result = await runCli(['collect', 'git', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("$ dora collect git --repo . --service api --deploy-tags 'v*'");
  });
});
