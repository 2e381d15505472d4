import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acmeOrg } from './fakes/github/acme.js';
import { FakeGithub } from './fakes/github/server.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/** `dora collect github` through the real program: flags, the config twin, exit codes, messages, no secret printed. */

const TOKEN = 'ghp_cliTestToken4f9a2c';
const tmp = tempDir();
const home = join(tmp.dir, 'store');
const dora = (...args: string[]) => runCli(['--home', home, ...args]);
const saved = { token: process.env.GITHUB_TOKEN, url: process.env.GITHUB_API_URL };
let fake: FakeGithub;

beforeAll(async () => {
  // This file runs on the real clock: the organisation's March 2026 history is reached with --since.
  fake = await FakeGithub.start({ org: acmeOrg().org, token: TOKEN });
  process.env.GITHUB_API_URL = fake.url;
});
beforeEach(() => {
  process.env.GITHUB_TOKEN = TOKEN;
  fake.requests.length = 0;
});
afterAll(async () => {
  await fake.close();
  tmp.remove();
  for (const [name, value] of [['GITHUB_TOKEN', saved.token], ['GITHUB_API_URL', saved.url]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('dora collect github', () => {
  it('documents its flags, their config twins and examples', async () => {
    const help = await dora('collect', 'github', '--help');
    expect(help.code).toEqual(0);
    for (const text of [
      '--repo <owner/name...>', '(config: sources.github.repos)', '--org <login>', '--exclude <glob...>', '(config: sources.github.includeArchived)',
      '--incident-label <label...>', '(config: sources.github.incidentLabels)', '--since <date>', '--environment <name=env...>',
      '$ GITHUB_TOKEN=... dora collect github --repo acme/api acme/web',
    ]) {
      expect(help.stdout.replace(/\s+/g, ' ')).toContain(text);
    }
  });

  it('says which variable to set when there is no token', async () => {
    delete process.env.GITHUB_TOKEN;
    const result = await dora('collect', 'github', '--repo', 'acme/api');
    expect(result.code).toEqual(5);
    expect(result.stderr).toEqual(
      'error: GITHUB_TOKEN is not set: the GitHub collector needs a token\n' +
        '  hint: create a token with the repo scope (read:org too for --org) and export GITHUB_TOKEN=...\n',
    );
    expect(fake.requests).toEqual([]);
  });

  it('stops on a refused token with one message, one request and no secret printed', async () => {
    process.env.GITHUB_TOKEN = 'ghp_revokedToken123456';
    const result = await dora('collect', 'github', '--repo', 'acme/api');
    expect(result.code).toEqual(5);
    expect(result.stderr).toEqual(
      'error: GitHub refused the token in GITHUB_TOKEN (401 Bad credentials - https://docs.github.com/graphql)\n' +
        '  hint: create a token with the repo scope (read:org too for --org) and export GITHUB_TOKEN\n',
    );
    expect(fake.requests).toHaveLength(1);
    expect(result.stderr + result.stdout).not.toContain('ghp_revokedToken123456');
  });

  it('rejects bad flags, naming the config key and what was expected', async () => {
    const noRepos = await dora('collect', 'github');
    expect(noRepos.code).toEqual(2);
    expect(noRepos.stderr).toContain('sources.github: name the repositories: set repos (--repo owner/name) or org (--org NAME)');
    const badRepo = await dora('collect', 'github', '--repo', 'acme', '--since', 'last week');
    expect(badRepo.code).toEqual(2);
    expect(badRepo.stderr).toContain('sources.github.repos.0: expected a repository as owner/name, e.g. acme/api');
    expect(badRepo.stderr).toContain('sources.github.since: expected a date (2026-01-01), an ISO time with a zone, or a number of days back (90d)');
    const badEnvironment = await dora('collect', 'github', '--repo', 'acme/api', '--environment', 'prod-eu');
    expect(badEnvironment.code).toEqual(2);
    expect(badEnvironment.stderr).toContain('sources.github.environments.prod-eu: expected GITHUB_ENVIRONMENT=ENVIRONMENT, e.g. prod-eu=production');
    expect(fake.requests).toEqual([]);
  });

  it('collects an organisation from the config file, and says what it collected', async () => {
    const config = join(tmp.dir, 'dora.config.json');
    writeFileSync(config, JSON.stringify({ sources: { github: { org: 'acme', exclude: ['sandbox-*'], since: '2026-01-01', environments: { 'stag*': 'qa' } } } }));
    const result = await dora('--config', config, 'collect');
    expect(result.code).toEqual(0);
    // Requests: the listing (100 repositories fit one page), RepoSync x3, two SHA lookups, PullsPage, PullCommits, 2 HistoryPage.
    // Points: RepoSync 14 x 3 + PullsPage 12 + 6 x 1 = 60. Events written (a commit can come both with its PR and from main):
    // commits 204 + 143 (worker) + 8 + 7 (api) + 4 + 6 (web) = 372; PRs 60 + 3 + 3; deployments api 7 + worker 6; incidents 3.
    expect(result.stderr).toEqual(
      'github collection finished (repositories=3, requests=10, points=60)\n' +
        'collected from github: 372 commit, 66 pull_request, 13 deployment, 3 incident\n',
    );
    const doctor = (await dora('doctor', '--format', 'json')).json();
    expect(doctor.deployments_by_environment).toEqual([
      { environment: 'production', status: 'failure', rows: 1 },
      { environment: 'production', status: 'in_progress', rows: 2 },
      { environment: 'production', status: 'success', rows: 9 },
      // `stag*` mapped to qa in the config.
      { environment: 'qa', status: 'success', rows: 1 },
    ]);
  });

  it('takes its settings from flags alone, and a second run of a repository reads only what is new', async () => {
    const result = await dora('collect', 'github', '--repo', 'acme/web', '--releases-as-deployments', '--since', '2026-01-01');
    expect(result.code).toEqual(0);
    expect(fake.operations()).toEqual(['RepoSync']);
    // web was collected by the run above (same store), except its releases. What is read again at the watermarks
    // (PR 3, the commits of the last 3 days) is unchanged and not written again. Releases are new: v1.0.0, v1.1.0
    // and the rc (the draft is no deployment). Small first pages: 3 points.
    expect(result.stderr).toEqual(
      'github collection finished (repositories=1, requests=1, points=3)\n' +
        'collected from github: 3 deployment\n',
    );
  });
});
