import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRepo } from './git-fixture.js';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { pipelineStory } from './fakes/heroku/story.js';
import { cleanEnv, spawnAgent, type AgentProcess, type LogLine } from './fakes/otlp/agent-process.js';
import { startFakeOtlp, type FakeOtlp, type ReceivedPoint } from './fakes/otlp/server.js';
import { tempDir } from './helpers/store.js';

/**
 * The done-when run: the built `dora agent` on second-level schedules against a real git
 * repository, a Heroku that answers slowly (so its collection overlaps its next turn), a
 * PagerDuty with no token (a source that fails every time) and a local OTLP/HTTP
 * receiver; a deploy tag is pushed while it runs, then SIGTERM.
 */

const TOKEN = 'heroku-agent-token-51c0';
const HEROKU_DELAY_MS = 1500;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const tmp = tempDir('dora-agent-schedule-');
const base = Date.now();
const iso = (millis: number) => new Date(millis).toISOString();
let repo: TestRepo;
let heroku: FakeHeroku;
let slow: Server;
let otlp: FakeOtlp;
let agent: AgentProcess;
let sigtermAt = 0;
let exit: { code: number | null; signal: NodeJS.Signals | null; at: number };

const of = (job: string, msg: string) => (lines: LogLine[]) => lines.filter((line) => line.job === job && line.msg === msg);
const last = (points: ReceivedPoint[]) => points.sort((a, b) => a.timeMs - b.timeMs).at(-1);

beforeAll(async () => {
  // api: v1 is the baseline; v2 ships c2 (authored 6 h before), v3 ships c3 (30 min before).
  repo = TestRepo.init(join(tmp.dir, 'api'));
  const c1 = repo.commit('c1', iso(base - 10 * DAY));
  repo.tag('v1', c1, iso(base - 10 * DAY + HOUR));
  const c2 = repo.commit('c2', iso(base - 3 * DAY - 6 * HOUR));
  repo.tag('v2', c2, iso(base - 3 * DAY));
  const c3 = repo.commit('c3', iso(base - 2 * HOUR));
  repo.tag('v3', c3, iso(base - 90 * 60_000));

  const story = pipelineStory();
  story.advance();
  heroku = await startFakeHeroku(story.data, { token: TOKEN });
  // Heroku, slowly: every request waits before it is passed on.
  slow = createServer((req, res) => {
    setTimeout(async () => {
      try {
        const upstream = await fetch(`${heroku.url}${req.url}`, { method: req.method ?? 'GET', headers: req.headers as Record<string, string> });
        const headers = Object.fromEntries([...upstream.headers].filter(([name]) => !['content-length', 'transfer-encoding', 'connection'].includes(name)));
        res.writeHead(upstream.status, headers);
        res.end(Buffer.from(await upstream.arrayBuffer()));
      } catch {
        res.destroy();
      }
    }, HEROKU_DELAY_MS);
  });
  await new Promise<void>((done) => slow.listen(0, '127.0.0.1', done));
  otlp = await startFakeOtlp();

  const config = join(tmp.dir, 'dora.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      sources: { git: [{ repo: 'api', service: 'api', deployTags: 'v*' }], heroku: { pipelines: ['shop'] }, pagerduty: {} },
      schedule: { timezone: 'UTC', collect: '* * * * * *', check: '*/2 * * * * *', digest: '*/3 * * * * *', figures: '*/2 * * * * *' },
    }),
  );
  agent = spawnAgent(['--home', join(tmp.dir, 'store'), '--config', config, 'agent', '--grace', '5'], {
    cwd: tmp.dir,
    env: cleanEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      HEROKU_API_KEY: TOKEN,
      HEROKU_API_URL: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
    }),
  });
  await agent.waitFor(
    (lines) =>
      of('collect:git', 'job finished')(lines).length >= 2 &&
      of('check', 'job finished')(lines).length >= 1 &&
      of('digest', 'job finished')(lines).length >= 1 &&
      of('figures', 'job finished')(lines).length >= 1 &&
      of('collect:heroku', 'job skipped: the previous run is still going')(lines).length >= 1 &&
      of('collect:pagerduty', 'job failed')(lines).length >= 1,
    40_000,
    'every job to have run',
  );

  // A release while the agent runs: v4 ships c4, authored an hour before the tag.
  const c4 = repo.commit('c4', iso(base - HOUR));
  repo.tag('v4', c4, iso(base));
  const seenAt = agent.lines.length;
  await agent.waitFor((lines) => lines.slice(seenAt).some((line) => line.job === 'collect:git' && line.msg === 'job finished' && line.deployments === 1), 20_000, 'v4 to be collected');
  const collectedAt = agent.lines.length;
  await agent.waitFor((lines) => lines.slice(collectedAt).some((line) => line.job === 'figures' && line.msg === 'job started'), 20_000, 'figures after v4');
  const figuresAt = agent.lines.length;
  await agent.waitFor((lines) => lines.slice(figuresAt - 1).some((line) => line.job === 'figures' && line.msg === 'job finished'), 20_000, 'figures after v4 to finish');

  sigtermAt = Date.now();
  agent.child.kill('SIGTERM');
  exit = await agent.exited;
}, 120_000);

afterAll(async () => {
  if (exit === undefined) agent?.child.kill('SIGKILL');
  await Promise.all([heroku?.close(), otlp?.close(), new Promise((done) => slow?.close(done))]);
  tmp.remove();
});

describe('dora agent on a schedule', () => {
  it('runs each job on its schedule, never two runs of one job at once', () => {
    const starts = (job: string) => of(job, 'job started')(agent.lines).map((line) => Date.parse(line.time));
    // check runs on even seconds ("*/2 * * * * *"); the runner logs its start in the tick node-cron fires.
    const check = starts('check');
    expect(check.length).toBeGreaterThanOrEqual(2);
    for (const at of check) expect(Math.floor(at / 1000) % 2).toEqual(0);
    // git every second: at most one start per wall-clock second.
    const git = starts('collect:git').map((at) => Math.floor(at / 1000));
    expect(new Set(git).size).toEqual(git.length);
    for (const job of ['collect:git', 'collect:heroku', 'check', 'digest', 'figures']) {
      let running = 0;
      for (const line of agent.lines.filter((item) => item.job === job)) {
        if (line.msg === 'job started') running++;
        if (line.msg === 'job finished' || line.msg === 'job failed') running--;
        expect(running).toBeLessThanOrEqual(1);
      }
    }
    expect(agent.other).toEqual([]);
  });

  it('skips a slow job whose previous run is still going, instead of stacking it', () => {
    const skipped = of('collect:heroku', 'job skipped: the previous run is still going')(agent.lines);
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    // Each skip says how long the run it gave way to has been going: at least one slow request.
    expect(skipped.every((line) => typeof line.running_ms === 'number' && line.running_ms >= 500)).toBe(true);
  });

  it('keeps collecting from the other sources while one fails every time', () => {
    const failed = of('collect:pagerduty', 'job failed')(agent.lines);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(String(failed[0]!.reason)).toContain('PAGERDUTY_TOKEN is not set');
    const firstFailure = agent.lines.indexOf(failed[0]!);
    expect(agent.lines.slice(firstFailure).some((line) => line.job === 'collect:git' && line.msg === 'job finished')).toBe(true);
  });

  it('stops cleanly on SIGTERM within a few seconds', () => {
    expect(exit.code).toEqual(0);
    expect(exit.at - sigtermAt).toBeLessThan(5000);
    const stopping = agent.lines.findIndex((line) => line.msg === 'agent stopping');
    expect(agent.lines[stopping]).toMatchObject({ level: 'info', signal: 'SIGTERM' });
    expect(agent.lines.at(-1)).toMatchObject({ level: 'info', msg: 'agent stopped', signal: 'SIGTERM' });
    // Nothing starts after the signal.
    expect(agent.lines.slice(stopping).filter((line) => line.msg === 'job started')).toEqual([]);
    // Heroku's first collection (a dozen requests at 1.5 s) was still going: it stopped pulling
    // pages at once instead of sitting out the collector's back-off (2, 4, 8, 16 s).
    const herokuEnd = agent.lines.filter((line) => line.job === 'collect:heroku' && (line.msg === 'job finished' || line.msg === 'job failed'));
    expect(herokuEnd.map((line) => [line.msg, line.reason])).toEqual([['job failed', 'collection stopped: the agent is shutting down']]);
  });

  it('exports a span per job and per source, with counts', () => {
    const spans = otlp.spans();
    expect(spans[0]!.resource).toMatchObject({ 'service.name': 'dora-agent', 'service.version': version });
    const jobs = spans.filter((span) => span.name === 'job collect:git');
    const sources = spans.filter((span) => span.name === 'source git');
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    for (const source of sources) {
      const parent = jobs.find((job) => job.spanId === source.parentSpanId);
      expect(parent?.traceId).toEqual(source.traceId);
    }
    // The first run read c1-c3 and v1-v3; a later one c4 and v4.
    expect(sources.some((span) => span.attributes['dora.events.commit'] === 3 && span.attributes['dora.events.deployment'] === 3)).toBe(true);
    expect(sources.some((span) => span.attributes['dora.events.commit'] === 1 && span.attributes['dora.events.deployment'] === 1)).toBe(true);
    const herokuSources = spans.filter((span) => span.name === 'source heroku');
    expect(herokuSources.some((span) => Number(span.attributes['dora.api.calls']) >= 1)).toBe(true);
    const failed = spans.filter((span) => span.name === 'job collect:pagerduty');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((span) => span.status.code === 2 && span.status.message.includes('PAGERDUTY_TOKEN'))).toBe(true);
    expect(spans.some((span) => span.name === 'job check' && span.attributes['dora.releases'] !== undefined)).toBe(true);
  });

  it('exports each new production deployment of the last day as a span', () => {
    const deployments = otlp.spans().filter((span) => span.name === 'deployment');
    // v1 and v2 finished days ago, and the Heroku story's releases months ago: history, not news.
    expect(deployments.map((span) => span.attributes['service.version']).sort()).toEqual(['v3', 'v4']);
    const v4 = deployments.find((span) => span.attributes['service.version'] === 'v4')!;
    expect(v4.attributes).toMatchObject({ 'service.name': 'api', 'deployment.environment.name': 'production', 'deployment.id': 'git:api:v4', 'deployment.status': 'succeeded' });
    expect(v4.endMs).toEqual(Math.floor(base / 1000) * 1000);
    expect(v4.events.map((event) => event.name)).toEqual(['deployment']);
    expect(v4.parentSpanId).toEqual('');
  });

  it('exports the agent\'s counters', () => {
    const points = otlp.points();
    const pick = (metric: string, attributes: Record<string, string>) =>
      last(points.filter((point) => point.metric === metric && Object.entries(attributes).every(([key, value]) => point.attributes[key] === value)));
    // Cumulative sums: c1-c4 and v1-v4 over the whole run.
    expect(pick('dora.agent.events_collected', { source: 'git', kind: 'commit' })?.value).toEqual(4);
    expect(pick('dora.agent.events_collected', { source: 'git', kind: 'deployment' })?.value).toEqual(4);
    expect(pick('dora.agent.job.runs', { job: 'collect:heroku', outcome: 'skipped' })!.value).toBeGreaterThanOrEqual(1);
    expect(pick('dora.agent.errors', { job: 'collect:pagerduty', source: 'pagerduty' })!.value).toBeGreaterThanOrEqual(2);
    expect(pick('dora.agent.api_calls', { source: 'heroku' })!.value).toBeGreaterThanOrEqual(1);
    expect(pick('dora.agent.job.duration', { job: 'check', outcome: 'ok' })).toMatchObject({ type: 'histogram', unit: 's' });
  });

  it('exports the DORA figures of each service as gauges', () => {
    const gauge = (metric: string) => last(otlp.points().filter((point) => point.metric === metric && point.attributes['service.name'] === 'api'));
    // Over the last 30 days: v1-v4 are 4 production deployments, 4 / (30 / 7) a week.
    expect(gauge('dora.deployment_frequency')).toMatchObject({ type: 'gauge', unit: '{deployment}/wk', value: 4 / (30 / 7) });
    // Fewer than 5 rows: no tier, so no dora.tier attribute.
    expect(gauge('dora.deployment_frequency')!.attributes).toEqual({ 'service.name': 'api', 'dora.window.days': 30 });
    // v1 is the baseline; changes c2 (6 h), c3 (30 min), c4 (1 h): the median is 1 h, and 3 rows get no tier.
    expect(gauge('dora.lead_time')).toMatchObject({ unit: 's', value: 3600, attributes: { 'service.name': 'api', 'dora.window.days': 30 } });
    // No incident, no rollback: 0 of 4 failed, 0 of 4 rework.
    expect(gauge('dora.change_failure_rate')?.value).toEqual(0);
    expect(gauge('dora.rework_rate')?.value).toEqual(0);
    // Nothing to restore from: no data is left out, never reported as 0.
    expect(gauge('dora.time_to_restore')).toBeUndefined();
    expect(gauge('dora.recovery_time')).toBeUndefined();
  });
});
