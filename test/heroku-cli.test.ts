import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { pipelineStory } from './fakes/heroku/story.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/** `dora collect heroku` through the real program: flags, config twin, exit codes, messages. */

const TOKEN = 'heroku-cli-token-7f3a9c';
const tmp = tempDir();
const home = join(tmp.dir, 'store');
const dora = (...args: string[]) => runCli(['--home', home, ...args]);
let fake: FakeHeroku;
const saved = { key: process.env.HEROKU_API_KEY, url: process.env.HEROKU_API_URL };

beforeAll(async () => {
  const story = pipelineStory();
  story.advance(); // no release left pending: this file runs on the real clock
  fake = await startFakeHeroku(story.data, { token: TOKEN });
  process.env.HEROKU_API_URL = fake.url;
});
beforeEach(() => {
  process.env.HEROKU_API_KEY = TOKEN;
  fake.requests.length = 0;
});
afterAll(async () => {
  await fake.close();
  tmp.remove();
  for (const [name, value] of [['HEROKU_API_KEY', saved.key], ['HEROKU_API_URL', saved.url]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('dora collect heroku', () => {
  it('documents its flags, their config twins and examples', async () => {
    const help = await dora('collect', 'heroku', '--help');
    expect(help.code).toEqual(0);
    expect(help.stdout).toContain('--app <name...>');
    expect(help.stdout).toContain('(config: sources.heroku.apps)');
    expect(help.stdout).toContain('--pipeline <name...>');
    expect(help.stdout).toContain('sources.heroku.pipelines)');
    expect(help.stdout).toContain('$ HEROKU_API_KEY=... dora collect heroku --pipeline shop');
  });

  it('says which variable to set when there is no token', async () => {
    delete process.env.HEROKU_API_KEY;
    const result = await dora('collect', 'heroku', '--app', 'shop-prod');
    expect(result.code).toEqual(5);
    expect(result.stderr).toEqual(
      'error: HEROKU_API_KEY is not set: the Heroku collector needs an API token\n' +
        '  hint: create one with `heroku authorizations:create --description dora-agent` and export HEROKU_API_KEY=<token>\n',
    );
    expect(fake.requests).toEqual([]);
  });

  it('stops on a revoked token with one message, one request and no secret printed', async () => {
    process.env.HEROKU_API_KEY = 'revoked-token-123456';
    const result = await dora('collect', 'heroku', '--pipeline', 'shop');
    expect(result.code).toEqual(5);
    expect(result.stderr).toEqual(
      'error: Heroku refused the token in HEROKU_API_KEY (401 Invalid credentials provided.)\n' +
        '  hint: the token was revoked or expired: create a new one with `heroku authorizations:create` and set HEROKU_API_KEY\n',
    );
    expect(fake.requests.length).toEqual(1);
    expect(result.stderr + result.stdout).not.toContain('revoked-token-123456');
  });

  it('collects a pipeline and says what it collected', async () => {
    // `--format json` after the source name is taken by `dora collect` itself (src/cli/commands/collect.ts),
    // so the source command prints text: the summary is checked on stderr, the rows through `dora doctor`.
    const result = await dora('collect', 'heroku', '--pipeline', 'shop');
    expect(result.code).toEqual(0);
    // staging: v2-v5 = 4; prod: v3, v4, v6, v7, v8, v9 = 6 (v10 is an add-on release noted on v9).
    expect(result.stderr).toEqual('collected from heroku: 10 deployment\n');
    const doctor = (await dora('doctor', '--format', 'json')).json();
    expect(doctor.deployments_by_environment).toEqual([
      { environment: 'production', status: 'failure', rows: 1 },
      { environment: 'production', status: 'success', rows: 5 },
      { environment: 'staging', status: 'success', rows: 4 },
    ]);
  });

  it('lets --app replace the configured apps and pipelines, and reports an unknown app after the others', async () => {
    const config = join(tmp.dir, 'dora.config.json');
    writeFileSync(config, JSON.stringify({ sources: { heroku: { pipelines: ['shop'], includeConfigReleases: false } } }));
    const result = await dora('--config', config, 'collect', 'heroku', '--app', 'shop-staging', 'ghost-app');
    expect(result.code).toEqual(2);
    // The pipeline is not looked up by name (only through shop-staging's coupling).
    expect(fake.requests.some((request) => request.path === '/pipelines/shop')).toEqual(false);
    expect(fake.requests.filter((request) => request.path.endsWith('/releases')).map((request) => request.path)).toEqual(['/apps/shop-staging/releases']);
    expect(result.stderr).toEqual(
      'error: Heroku: 1 app or pipeline could not be collected (1 app was):\n' +
        `  app "ghost-app": Heroku answered GET /apps/ghost-app with 404: Couldn't find that app.\n` +
        '  hint: check the names under sources.heroku (or --app, --pipeline); `heroku apps` and `heroku pipelines` list what the token can see\n',
    );
  });
});
