import { collectors } from '../collectors/registry.js';
import type { Config } from '../config/schema.js';
import { runDigest } from '../digest/index.js';
import { ConfigError, ExitCode } from '../errors.js';
import { runCheck } from '../health/index.js';
import { buildReport } from '../reports/build.js';
import { resolveWindow } from '../reports/window.js';
import { figureObservations } from '../telemetry/index.js';
import type { Telemetry } from '../telemetry/index.js';
import { collectSource } from './collect-job.js';
import { JobFailure, type Job, type JobResult, type RunContext } from './types.js';

async function checkJob(ctx: RunContext): Promise<JobResult> {
  const result = await runCheck(ctx.client, { config: ctx.config, env: ctx.env, now: ctx.now(), agent: ctx.agentId });
  const { verdicts } = result.evaluation;
  const count = (verdict: string) => verdicts.filter((item) => item.verdict === verdict).length;
  const summary: JobResult = {
    releases: verdicts.length,
    rollback: count('rollback'),
    watch: count('watch'),
    healthy: count('healthy'),
    alerts_sent: result.alerts.sent.length,
    alerts_failed: result.alerts.failed.length,
  };
  for (const problem of result.problems) ctx.log.warn('alert channel not usable', { channel: problem.channel, problem: problem.message });
  for (const failure of result.alerts.failed) ctx.log.warn('alert not delivered', { channel: failure.channel, release: failure.release, error: failure.error });
  // As `dora check` exits: 5 when an alert could not be delivered, else 2 for a misconfigured channel.
  if (result.alerts.failed.length > 0) throw new JobFailure('alerts not delivered', ExitCode.sourceUnavailable, summary);
  if (result.problems.length > 0) throw new JobFailure('alert channel misconfigured', ExitCode.usage, summary);
  return summary;
}

async function digestJob(ctx: RunContext): Promise<JobResult> {
  const result = await runDigest(ctx.client, { config: ctx.config, env: ctx.env, now: ctx.now(), agent: ctx.agentId, ...(ctx.digestDir ? { dir: ctx.digestDir } : {}) });
  const summary: JobResult = { period: result.period, newsworthy: result.newsworthy, sent: result.sent.length, failed: result.failed.length, already_sent: result.already.length };
  if (result.file) summary.file = result.file;
  if (!result.newsworthy) ctx.log.info('digest not sent: nothing happened in either week', { period: result.period });
  for (const problem of result.problems) ctx.log.warn('digest channel not usable', { channel: problem.channel, problem: problem.message });
  for (const failure of result.failed) ctx.log.warn('digest not delivered', { channel: failure.channel, error: failure.error });
  if (result.failed.length > 0) throw new JobFailure('digest not delivered', ExitCode.sourceUnavailable, summary);
  return summary;
}

/** The DORA figures over the last `schedule.figuresDays`, handed to the gauges. */
async function figuresJob(ctx: RunContext): Promise<JobResult> {
  const tz = ctx.config.schedule.timezone;
  // Calendar days back in the zone, so a window across a DST change is still 30 days.
  const window = resolveWindow({ since: `${ctx.config.schedule.figuresDays}d`, until: 'now', tz, now: ctx.now() });
  const report = await buildReport(ctx.client, { config: ctx.config, ...window, tz });
  const observations = figureObservations(report, (service) => ctx.config.services[service]?.team);
  ctx.telemetry.setFigures(observations);
  return { services: Object.keys(report.services).length, observations: observations.length };
}

export interface PlanOptions {
  telemetry: Telemetry;
  /** Only these jobs (`collect`, `collect:github`, `check`, `digest`, `figures`). */
  only?: string[];
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * The agent's jobs from the config: one collection job per configured source (each on its
 * own, so a slow or failing source never holds the others), release checks, the weekly
 * digest, and the figures behind the gauges when metrics are exported. A schedule of
 * `false` turns a job off.
 */
export function planJobs(config: Config, options: PlanOptions): Job[] {
  const { schedule } = config;
  const jobs: Job[] = [];
  for (const id of Object.keys(config.sources)) {
    const collector = collectors[id];
    if (!collector) {
      options.warn?.('no collector for configured source', { source: id, known: Object.keys(collectors).join(', ') });
      continue;
    }
    const cron = schedule.sources[id] ?? schedule.collect;
    if (cron === false) continue;
    jobs.push({ name: `collect:${id}`, kind: 'collect', cron, source: id, run: (ctx) => collectSource(ctx, collector, config.sources[id]) });
  }
  for (const id of Object.keys(schedule.sources)) {
    if (!(id in config.sources)) options.warn?.('schedule names a source that is not configured', { source: id });
  }
  if (schedule.check !== false) jobs.push({ name: 'check', kind: 'check', cron: schedule.check, run: checkJob });
  if (schedule.digest !== false) jobs.push({ name: 'digest', kind: 'digest', cron: schedule.digest, run: digestJob });
  if (options.telemetry.signals.metrics && schedule.figures !== false) jobs.push({ name: 'figures', kind: 'figures', cron: schedule.figures, run: figuresJob });
  if (!options.only || options.only.length === 0) return jobs;
  const unknown = options.only.filter((name) => !jobs.some((job) => job.name === name || job.kind === name));
  if (unknown.length > 0) {
    throw new ConfigError(`--only: no such job: ${unknown.join(', ')}`, { suggestion: `jobs from this config: ${jobs.map((job) => job.name).join(', ') || 'none'}` });
  }
  return jobs.filter((job) => options.only!.includes(job.name) || options.only!.includes(job.kind));
}
