import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpSignals } from '../src/telemetry/env.js';
import { TestRepo } from './git-fixture.js';
import { cleanEnv, spawnAgent } from './fakes/otlp/agent-process.js';
import { startFakeOtlp, type FakeOtlp } from './fakes/otlp/server.js';
import { tempDir } from './helpers/store.js';

/**
 * OpenTelemetry only when asked for: without an OTLP endpoint no SDK module is even
 * resolved (recorded by a module-resolution hook), so nothing can be exported; with one,
 * the same run exports; an unreachable collector cannot hold the process.
 */

const tmp = tempDir('dora-telemetry-off-');
const hook = resolve('test/fakes/otlp/record-imports.mjs');
let config: string;
const receivers: Record<'unset' | 'set' | 'hanging', FakeOtlp> = {} as never;
type Run = Awaited<ReturnType<typeof once>>;
const runs: Partial<Record<keyof typeof receivers, Run>> = {};

beforeAll(async () => {
  const repo = TestRepo.init(join(tmp.dir, 'api'));
  const sha = repo.commit('c1', new Date(Date.now() - 3_600_000).toISOString());
  repo.tag('v1', sha, new Date(Date.now() - 1_800_000).toISOString());
  config = join(tmp.dir, 'dora.config.json');
  writeFileSync(config, JSON.stringify({ sources: { git: [{ repo: 'api', service: 'api', deployTags: 'v*' }] } }));
  for (const name of ['unset', 'set', 'hanging'] as const) receivers[name] = await startFakeOtlp();
  receivers.hanging.hang();
  const json = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  // Three processes, three stores, side by side (OTEL_SDK_DISABLED is covered by otlpSignals below).
  [runs.unset, runs.set, runs.hanging] = await Promise.all([
    // The receiver listens, but nothing names it: the SDK's default would be localhost:4318 anyway.
    once('unset', { ...json, OTEL_SERVICE_NAME: 'ignored-without-an-endpoint' }),
    once('set', { ...json, OTEL_EXPORTER_OTLP_ENDPOINT: receivers.set.url }),
    // The exporter alone would wait 30 s per request; the agent waits 5 s for the flush.
    once('hanging', { ...json, OTEL_EXPORTER_OTLP_ENDPOINT: receivers.hanging.url, OTEL_EXPORTER_OTLP_TIMEOUT: '30000' }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(receivers).map((receiver) => receiver.close()));
  tmp.remove();
});

/** `dora agent --once` in its own store, recording every @opentelemetry module it resolves. */
async function once(name: string, env: NodeJS.ProcessEnv) {
  const imports = join(tmp.dir, `${name}.imports`);
  const agent = spawnAgent(['--home', join(tmp.dir, name), '--config', config, 'agent', '--once', '--format', 'json'], {
    cwd: tmp.dir,
    env: cleanEnv({ ...env, DORA_TEST_IMPORTS_LOG: imports }),
    nodeArgs: ['--import', hook],
  });
  const exit = await agent.exited;
  const modules = existsSync(imports) ? readFileSync(imports, 'utf8').split('\n').filter(Boolean) : [];
  return { exit, modules, lines: agent.lines, jobs: JSON.parse(agent.stdout()).jobs as { job: string; status: string }[] };
}

describe('telemetry off', () => {
  it('loads no OpenTelemetry module and exports nothing without OTLP variables', () => {
    const run = runs.unset!;
    expect(run.exit.code).toEqual(0);
    expect(run.jobs.map((job) => [job.job, job.status])).toEqual([['collect:git', 'ok'], ['check', 'ok'], ['digest', 'ok']]);
    expect(run.modules).toEqual([]);
    expect(receivers.unset.requests).toEqual([]);
  });

  it('loads the SDK and exports when the endpoint is set (the hook and receiver see it)', () => {
    const run = runs.set!;
    expect(run.exit.code).toEqual(0);
    expect(run.modules.some((url) => url.includes('/@opentelemetry/sdk-node/'))).toBe(true);
    // figures runs because metrics are exported; every job once.
    expect(run.jobs.map((job) => [job.job, job.status])).toEqual([['collect:git', 'ok'], ['figures', 'ok'], ['check', 'ok'], ['digest', 'ok']]);
    expect(new Set(receivers.set.requests.map((request) => request.path))).toEqual(new Set(['/v1/traces', '/v1/metrics']));
    expect(receivers.set.spans().filter((span) => span.name.startsWith('job ')).map((span) => span.name).sort()).toEqual(['job check', 'job collect:git', 'job digest', 'job figures']);
  });

  it('gives up flushing to a collector that never answers, and still exits', () => {
    const run = runs.hanging!;
    expect(run.exit.code).toEqual(0);
    // From the last job to the exit: the 5 s flush and no more, not the exporter's 30 s.
    const lastJob = Math.max(...run.lines.filter((line) => line.msg === 'job finished').map((line) => Date.parse(line.time)));
    expect(run.exit.at - lastJob).toBeLessThan(8000);
    expect(run.exit.at - lastJob).toBeGreaterThanOrEqual(5000);
    expect(receivers.hanging.requests.length).toBeGreaterThanOrEqual(1);
    expect(run.lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toContain('telemetry not flushed: the OTLP endpoint did not answer in time');
  });
});

describe('otlpSignals', () => {
  it.each([
    [{}, { traces: false, metrics: false }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, { traces: true, metrics: true }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, { traces: false, metrics: false }],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, { traces: true, metrics: false }],
    [{ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics' }, { traces: false, metrics: true }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_METRICS_EXPORTER: 'none' }, { traces: true, metrics: false }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }, { traces: false, metrics: true }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'TRUE' }, { traces: false, metrics: false }],
  ])('%j -> %j', (env, expected) => {
    expect(otlpSignals(env)).toEqual(expected);
  });
});
