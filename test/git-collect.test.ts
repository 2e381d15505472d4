import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCollector } from '../src/collectors/git/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import { TestRepo } from './git-fixture.js';
import { queryRows, tempStore } from './helpers/store.js';

/**
 * The git collector over a real repository: a merge-commit PR, a squash-merged
 * PR, a direct push, annotated and lightweight deploy tags, a rollback tag, a
 * revert, a side branch; then incremental runs and a force push.
 */

let store: Awaited<ReturnType<typeof tempStore>>;
let repo: TestRepo;
const sha: Record<string, string> = {};

async function collect(section: unknown) {
  let stderr = '';
  const log = createLogger({ out: () => undefined, err: (text) => void (stderr += text), interactive: false });
  const summary = await runCollector(store.client, gitCollector, { agent: Config.parse({}), section, log });
  return { summary, stderr };
}

const entry = () => [{ repo: repo.dir, service: 'shop', deployTags: 'v*' }];

const deployments = () =>
  queryRows(
    store.client,
    `SELECT id, service, environment, status, finished_at, source, repo, sha, version, rollback_of, extra['tag_type'] AS tag_type
     FROM deployments FINAL ORDER BY finished_at, id`,
  );

beforeAll(async () => {
  store = await tempStore();
  repo = TestRepo.init(join(store.dir, 'shop'));
  repo.git(['remote', 'add', 'origin', 'git@github.com:acme/shop.git']);
  sha.c1 = repo.commit('Initial commit', '2026-03-02T09:00:00Z');
  repo.tag('v1.0.0', sha.c1, '2026-03-02T10:00:00Z');
  // PR #1, merged with a merge commit.
  repo.checkout('feature/cart', { create: true });
  sha.a1 = repo.commit('Add cart model', '2026-03-03T09:00:00Z', { author: 'Alan Turing' });
  sha.a2 = repo.commit('Add cart view', '2026-03-03T11:00:00Z', { author: 'Alan Turing' });
  repo.checkout('main');
  sha.m1 = repo.merge('feature/cart', 'Merge pull request #1 from acme/feature/cart', '2026-03-04T10:00:00Z');
  // PR #2, squash-merged: authored on the 3rd, committed to main on the 5th.
  sha.s1 = repo.commit('Add search (#2)', '2026-03-05T09:00:00Z', { authorDate: '2026-03-03T15:00:00Z' });
  repo.tag('v1.1.0', sha.s1); // lightweight: finished at the commit's committer date
  sha.d1 = repo.commit('Tune search ranking', '2026-03-05T13:00:00Z');
  repo.tag('v1.2.0', sha.d1, '2026-03-06T10:00:00Z');
  repo.tag('v1.2.1', sha.s1, '2026-03-06T12:00:00Z'); // back to the squash commit: a rollback
  sha.r1 = repo.revert(sha.d1, '2026-03-07T09:00:00Z');
  repo.tag('v1.3.0', sha.r1, '2026-03-07T10:00:00Z');
  repo.tag('nightly-7', sha.r1); // not a deploy tag
  // A side branch, never deployed, with a Latin-1 message (no encoding header).
  repo.checkout('legacy', { create: true, from: sha.c1 });
  sha.l1 = repo.commitBytes(Buffer.from('Caf\xe9 menu\n', 'latin1'), '2026-03-04T08:00:00Z');
  sha.l2 = repo.commitLatin1('Cr\xe8me br\xfbl\xe9e', '2026-03-04T08:30:00Z');
  repo.checkout('main');
});

afterAll(async () => {
  await store.dispose();
});

describe('dora collect git', () => {
  it('reads every commit with its parents, authors, times and message, under the origin name', async () => {
    const { summary, stderr } = await collect(entry());
    expect(summary.events).toEqual({ commit: 9, pull_request: 0, deployment: 5, incident: 0 });
    expect(stderr).toContain('read git repository (repo=acme/shop, service=shop, new_commits=9, deploy_tags=5, new_deployments=5)');
    const commits = await queryRows(
      store.client,
      `SELECT sha, parents, author, authored_at, committed_at, message, source, extra FROM commits FINAL WHERE repo = 'acme/shop' ORDER BY committed_at, sha`,
    );
    const row = (name: string) => commits.find((commit) => commit.sha === sha[name]);
    expect(commits.map((commit) => commit.sha)).toEqual([sha.c1, sha.a1, sha.a2, sha.l1, sha.l2, sha.m1, sha.s1, sha.d1, sha.r1]);
    expect(row('m1')).toMatchObject({ parents: [sha.c1, sha.a2], message: 'Merge pull request #1 from acme/feature/cart' });
    expect(row('a1')).toMatchObject({ parents: [sha.c1], author: 'Alan Turing', authored_at: '2026-03-03 09:00:00.000', source: 'git' });
    expect(row('a1')!.extra).toEqual({ author_email: 'alan@example.com' });
    // Squash merge: the author date stays the PR's real start, the committer date is the merge.
    expect(row('s1')).toMatchObject({ authored_at: '2026-03-03 15:00:00.000', committed_at: '2026-03-05 09:00:00.000' });
    expect(row('r1')!.message).toBe(`Revert "Tune search ranking"\n\nThis reverts commit ${sha.d1}.`);
    expect(row('r1')!.extra).toEqual({ author_email: 'ada@example.com', reverts: sha.d1 });
    // Not UTF-8: kept byte for byte as Latin-1, flagged, and the run goes on.
    expect(row('l1')!.message).toBe('Café menu');
    expect(row('l1')!.extra).toEqual({ author_email: 'ada@example.com', encoding: 'not UTF-8, read as Latin-1' });
    // Declared Latin-1 (an encoding header): converted by git, nothing to flag.
    expect(row('l2')!.message).toBe('Crème brûlée');
    expect(row('l2')!.extra).toEqual({ author_email: 'ada@example.com' });
    expect(stderr).toContain(`warning: commit text is not valid UTF-8; stored as read in Latin-1 (repo=acme/shop, first_commits=${sha.l1})`);
  });

  it('makes each matching tag a successful deployment, and a tag on an ancestor of the previous one its rollback', async () => {
    expect(await deployments()).toEqual([
      // annotated: the tagger date
      { id: 'git:shop:v1.0.0', service: 'shop', environment: 'production', status: 'success', finished_at: '2026-03-02 10:00:00.000',
        source: 'git', repo: 'acme/shop', sha: sha.c1, version: 'v1.0.0', rollback_of: '', tag_type: 'annotated' },
      // lightweight: the commit's committer date
      { id: 'git:shop:v1.1.0', service: 'shop', environment: 'production', status: 'success', finished_at: '2026-03-05 09:00:00.000',
        source: 'git', repo: 'acme/shop', sha: sha.s1, version: 'v1.1.0', rollback_of: '', tag_type: 'lightweight' },
      { id: 'git:shop:v1.2.0', service: 'shop', environment: 'production', status: 'success', finished_at: '2026-03-06 10:00:00.000',
        source: 'git', repo: 'acme/shop', sha: sha.d1, version: 'v1.2.0', rollback_of: '', tag_type: 'annotated' },
      // s1 is a strict ancestor of d1 (v1.2.0's commit): back to it is a rollback of v1.2.0
      { id: 'git:shop:v1.2.1', service: 'shop', environment: 'production', status: 'success', finished_at: '2026-03-06 12:00:00.000',
        source: 'git', repo: 'acme/shop', sha: sha.s1, version: 'v1.2.1', rollback_of: 'git:shop:v1.2.0', tag_type: 'annotated' },
      // r1 descends from s1: a forward deployment again
      { id: 'git:shop:v1.3.0', service: 'shop', environment: 'production', status: 'success', finished_at: '2026-03-07 10:00:00.000',
        source: 'git', repo: 'acme/shop', sha: sha.r1, version: 'v1.3.0', rollback_of: '', tag_type: 'annotated' },
    ]);
  });

  it('reads nothing on a second run, and only what is new on the next', async () => {
    const again = await collect(entry());
    expect(again.summary.events).toEqual({ commit: 0, pull_request: 0, deployment: 0, incident: 0 });
    sha.f1 = repo.commit('Faster checkout', '2026-03-08T09:00:00Z');
    sha.f2 = repo.commit('Checkout copy', '2026-03-08T11:00:00Z');
    repo.tag('v1.4.0', sha.f2, '2026-03-08T12:00:00Z');
    const next = await collect(entry());
    // Two new commits and one new tag; the five known tags are not written again.
    expect(next.summary.events).toEqual({ commit: 2, pull_request: 0, deployment: 1, incident: 0 });
    const [counts] = await queryRows(store.client, `SELECT (SELECT count() FROM commits FINAL) AS commits, (SELECT count() FROM deployments FINAL) AS deployments`);
    expect(counts).toEqual({ commits: 11, deployments: 6 });
  });

  it('detects a force push, warns, and reads the rewritten history again', async () => {
    // Rewrite main: drop f2 and put another commit on f1.
    repo.git(['reset', '-q', '--hard', sha.f1!]);
    sha.g1 = repo.commit('Checkout copy, reworded', '2026-03-08T11:30:00Z');
    const { summary, stderr } = await collect(entry());
    expect(stderr).toContain(
      `warning: history was rewritten (force push); reading the whole history again (repo=acme/shop, ref=main, from=${sha.f2!.slice(0, 12)}, to=${sha.g1.slice(0, 12)})`,
    );
    // Re-read: every commit reachable now. c1 a1 a2 m1 s1 d1 r1 f1 g1 on main, l1 l2 on legacy, f2 still under tag v1.4.0 = 12.
    expect(summary.events.commit).toEqual(12);
    // The next run is incremental again.
    expect((await collect(entry())).summary.events.commit).toEqual(0);
  });

  it('reads only the named branch and the deploy tags with --branch', async () => {
    const { summary } = await collect([{ repo: repo.dir, name: 'acme/shop-main', service: 'shop-main', deployTags: 'v1.0.*', branch: 'main' }]);
    // main: c1 a1 a2 m1 s1 d1 r1 f1 g1 = 9; the legacy branch and f2 are not read.
    expect(summary.events).toEqual({ commit: 9, pull_request: 0, deployment: 1, incident: 0 });
  });
});
