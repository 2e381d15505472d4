import { describe, expect, it } from 'vitest';
import { agentLogger, planJobs } from '../src/agent/index.js';
import { Config } from '../src/config/schema.js';
import { registerSecret, type Io } from '../src/log.js';
import { noTelemetry, type Telemetry } from '../src/telemetry/index.js';

/** The job plan from a config, and the agent's log lines: no store, no network. */

const metricsOn: Telemetry = { ...noTelemetry, signals: { traces: false, metrics: true } };

describe('planJobs', () => {
  const config = Config.parse({
    sources: { git: [{ repo: '.' }], github: { org: 'acme' }, jira: {} },
    schedule: { collect: '*/7 * * * *', sources: { github: '0 * * * *', heroku: '*/1 * * * *' }, digest: false },
  });

  it('makes one collection job per configured source, each on its own schedule', () => {
    const warnings: [string, Record<string, unknown>][] = [];
    const jobs = planJobs(config, { telemetry: noTelemetry, warn: (message, fields) => warnings.push([message, fields]) });
    expect(jobs.map((job) => [job.name, job.kind, job.cron])).toEqual([
      ['collect:git', 'collect', '*/7 * * * *'],
      ['collect:github', 'collect', '0 * * * *'],
      ['check', 'check', '*/5 * * * *'],
    ]);
    expect(warnings).toEqual([
      ['no collector for configured source', { source: 'jira', known: 'git, github, heroku, opsgenie, pagerduty' }],
      ['schedule names a source that is not configured', { source: 'heroku' }],
    ]);
  });

  it('adds the figures job only when metrics are exported', () => {
    expect(planJobs(config, { telemetry: metricsOn }).map((job) => job.name)).toEqual(['collect:git', 'collect:github', 'check', 'figures']);
  });

  it('narrows to --only by name or kind', () => {
    expect(planJobs(config, { telemetry: noTelemetry, only: ['collect'] }).map((job) => job.name)).toEqual(['collect:git', 'collect:github']);
    expect(planJobs(config, { telemetry: noTelemetry, only: ['collect:github', 'check'] }).map((job) => job.name)).toEqual(['collect:github', 'check']);
    expect(() => planJobs(config, { telemetry: noTelemetry, only: ['digest'] })).toThrow('--only: no such job: digest');
  });

  it('reads the DESIGN.md example and its defaults', () => {
    const { schedule } = Config.parse({ schedule: { timezone: 'Europe/Berlin', collect: '*/10 * * * *', check: '*/5 * * * *', digest: '0 9 * * MON' } });
    expect(schedule).toEqual({
      timezone: 'Europe/Berlin',
      collect: '*/10 * * * *',
      sources: {},
      check: '*/5 * * * *',
      digest: '0 9 * * MON',
      figures: '*/15 * * * *',
      figuresDays: 30,
    });
  });
});

describe('agentLogger', () => {
  const capture = () => {
    const lines: string[] = [];
    const io: Io = { out: () => undefined, err: (text) => void lines.push(text), interactive: false };
    return { io, lines };
  };
  const now = () => new Date('2026-03-16T08:00:00.000Z');

  it('writes one JSON object per line, with bound fields, errors as their message, and no secrets', () => {
    const { io, lines } = capture();
    registerSecret('xoxb-very-secret-token');
    const log = agentLogger(io, { format: 'json', now }).with({ job: 'collect:github' });
    log.warn('source request failed', { status: 502, url: 'https://api.example/?token=xoxb-very-secret-token', skipped: undefined });
    log.error('job failed', { reason: new Error('boom') });
    expect(lines).toEqual([
      '{"time":"2026-03-16T08:00:00.000Z","level":"warn","msg":"source request failed","job":"collect:github","status":502,"url":"https://api.example/?token=***"}\n',
      '{"time":"2026-03-16T08:00:00.000Z","level":"error","msg":"job failed","job":"collect:github","reason":"boom"}\n',
    ]);
  });

  it('writes text for a terminal, and only warnings and errors when quiet', () => {
    const { io, lines } = capture();
    const log = agentLogger(io, { format: 'text', quiet: true, now });
    log.info('job started', { job: 'check' });
    log.warn('job skipped: the previous run is still going', { job: 'check', running_ms: 1200 });
    expect(lines).toEqual(['08:00:00 warning: job skipped: the previous run is still going (job=check, running_ms=1200)\n']);
  });
});
