import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastWeek } from '../src/digest/period.js';
import { TestRepo } from './git-fixture.js';
import { startFakeChat, type FakeChat } from './fakes/chat/server.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/**
 * `dora agent --once` through the real program, for cron and CI users: every job once,
 * in order (collect, check, digest), exit code from the first failure, JSON-line logs
 * without secrets; a second run sends nothing twice.
 */

const HOUR = 3_600_000;
const tmp = tempDir('dora-agent-once-');
const home = join(tmp.dir, 'store');
const saved = { ...process.env };
let chat: FakeChat;
let config: string;
const iso = (millis: number) => new Date(millis).toISOString();

interface Outcome {
  job: string;
  status: string;
  result: Record<string, unknown>;
  error?: string;
  exit_code?: number;
}
const jobsOf = (result: CliResult) => result.json<{ jobs: Outcome[] }>().jobs;
const logLines = (result: CliResult) => result.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const agent = (file: string, ...args: string[]) => runCli(['--home', home, '--config', file, 'agent', '--once', '--format', 'json', ...args]);

function writeConfig(name: string, value: unknown): string {
  const file = join(tmp.dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

beforeAll(async () => {
  for (const key of Object.keys(process.env)) if (/^(OTEL_|SLACK_|TEAMS_|DORA_|PAGERDUTY_)/.test(key)) delete process.env[key];
  chat = await startFakeChat();
  process.env.SLACK_WEBHOOK_URL = chat.slackUrl;
  const now = Date.now();
  const week = lastWeek(now, 'UTC');
  // api: v1 (the baseline) and v2 last week, on Tuesday and Wednesday; v3 went out half an hour ago.
  const repo = TestRepo.init(join(tmp.dir, 'api'));
  repo.tag('v1', repo.commit('c1', iso(week.since + 24 * HOUR)), iso(week.since + 25 * HOUR));
  repo.tag('v2', repo.commit('c2', iso(week.since + 48 * HOUR)), iso(week.since + 49 * HOUR));
  repo.tag('v3', repo.commit('c3', iso(now - HOUR)), iso(now - 30 * 60_000));
  config = writeConfig('dora.config.json', { sources: { git: [{ repo: repo.dir, service: 'api', deployTags: 'v*' }] } });
  // Ten minutes ago an incident opened on api: v3, the live release, should be rolled back.
  const incident = await runCli(['--home', home, 'record', 'incident', '--id', 'PD-9', '--service', 'api', '--title', 'Checkout errors', '--opened-at', iso(now - 10 * 60_000)]);
  expect(incident.stderr).toEqual('recorded incident PD-9 of api (open)\n');
  expect(incident.code).toEqual(0);
}, 60_000);
afterAll(async () => {
  await chat.close();
  process.env = saved;
  tmp.remove();
});

describe('dora agent --once', () => {
  let first: CliResult;
  beforeAll(async () => {
    first = await agent(config);
  }, 60_000);

  it('runs every job once, collections first, and exits 0', () => {
    expect(first.code).toEqual(0);
    const jobs = jobsOf(first);
    expect(jobs.map((job) => [job.job, job.status])).toEqual([['collect:git', 'ok'], ['check', 'ok'], ['digest', 'ok']]);
    // c1-c3 and v1-v3 from the repository.
    expect(jobs[0]!.result).toMatchObject({ commits: 3, deployments: 3, api_calls: 0 });
    // v3 is judged rollback (PD-9 opened in its window) and its alert goes to Slack.
    expect(jobs[1]!.result).toMatchObject({ rollback: 1, alerts_sent: 1, alerts_failed: 0 });
    // Last week had v1 and v2: the digest goes to Slack too.
    expect(jobs[2]!.result).toMatchObject({ newsworthy: true, sent: 1, failed: 0, already_sent: 0 });
    expect(chat.messages('slack').map((message) => message.body.blocks[0].text.text)).toEqual([
      'Rollback recommended: api v3',
      `DORA weekly digest: ${lastWeek(Date.now(), 'UTC').monday} – ${lastWeek(Date.now(), 'UTC').sunday}`,
    ]);
  });

  it('logs JSON lines on stderr (not a terminal), without the webhook URL', () => {
    const lines = logLines(first);
    expect(lines.filter((line) => line.msg === 'job started').map((line) => [line.job, line.trigger])).toEqual([['collect:git', 'once'], ['check', 'once'], ['digest', 'once']]);
    for (const line of lines) expect(Object.keys(line).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(first.stderr).not.toContain('secretTokenXYZ');
  });

  it('sends nothing twice on the next run', async () => {
    const before = chat.requests.length;
    const second = await agent(config);
    expect(second.code).toEqual(0);
    const [collect, check, digest] = jobsOf(second);
    expect(collect!.result).toMatchObject({ commits: 0, deployments: 0 });
    expect(check!.result).toMatchObject({ rollback: 1, alerts_sent: 0 });
    expect(digest!.result).toMatchObject({ sent: 0, already_sent: 1 });
    expect(chat.requests.length).toEqual(before);
  });

  it('runs only the jobs asked for', async () => {
    const only = await agent(config, '--only', 'collect');
    expect(only.code).toEqual(0);
    expect(jobsOf(only).map((job) => job.job)).toEqual(['collect:git']);
    const unknown = await agent(config, '--only', 'collect:github');
    expect(unknown.code).toEqual(2);
    expect(unknown.stderr).toContain('error: --only: no such job: collect:github');
    expect(unknown.stderr).toContain('hint: jobs from this config: collect:git, check, digest');
  });

  it('goes on past a failing source and exits with its code', async () => {
    const failing = writeConfig('failing.json', { sources: { pagerduty: {}, git: [{ repo: join(tmp.dir, 'api'), service: 'api', deployTags: 'v*' }] } });
    const result = await agent(failing, '--only', 'collect');
    expect(result.code).toEqual(5);
    const jobs = jobsOf(result);
    expect(jobs.map((job) => [job.job, job.status, job.exit_code])).toEqual([['collect:pagerduty', 'failed', 5], ['collect:git', 'ok', undefined]]);
    expect(jobs[0]!.error).toContain('PAGERDUTY_TOKEN is not set');
  });

  it('refuses a schedule it cannot read, naming the field', async () => {
    const bad = writeConfig('bad.json', { schedule: { check: '*/5 * * *', timezone: 'Mars/Olympus' } });
    const result = await agent(bad);
    expect(result.code).toEqual(2);
    expect(result.stderr).toContain('schedule.check: expected a cron expression such as "*/10 * * * *" (expression: expected 5 or 6 fields but got 4)');
    expect(result.stderr).toContain('schedule.timezone: expected an IANA time zone such as UTC or Europe/Berlin');
  });

  it('turns a job off with false, and says so when nothing is left', async () => {
    const off = writeConfig('off.json', { schedule: { check: false, digest: false } });
    const result = await agent(off);
    expect(result.code).toEqual(2);
    expect(result.stderr).toContain('error: nothing to run: every job is turned off');
  });

  it('documents itself with examples', async () => {
    const help = await runCli(['agent', '--help']);
    expect(help.code).toEqual(0);
    expect(help.stdout).toContain('$ dora agent --once --format json');
    expect(help.stdout).toContain('--grace <seconds>');
  });
});
