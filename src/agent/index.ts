import { JobRunner } from './runner.js';
import { scheduleJobs } from './scheduler.js';
import type { AgentContext, Job, JobOutcome } from './types.js';

export { agentLogger, type AgentLogger, type LogFormat } from './log.js';
export { planJobs } from './jobs.js';
export { ScheduleSection, CronExpression } from './schedule-config.js';
export type { AgentContext, Job, JobOutcome, JobResult } from './types.js';

/**
 * `dora agent --once`: every job once, collections first (side by side, each on its
 * own), then the jobs that read what they brought: figures, checks, the digest.
 */
export async function runOnce(ctx: AgentContext, jobs: readonly Job[]): Promise<JobOutcome[]> {
  const runner = new JobRunner(ctx);
  const order = ['collect', 'figures', 'check', 'digest'];
  const collected = await Promise.all(jobs.filter((job) => job.kind === 'collect').map((job) => runner.run(job, 'once')));
  const rest: JobOutcome[] = [];
  for (const kind of order.slice(1)) for (const job of jobs.filter((item) => item.kind === kind)) rest.push(await runner.run(job, 'once'));
  return [...collected, ...rest];
}

export interface RunningAgent {
  /** Stop scheduling, let running jobs finish or abort within `graceMs`; the jobs still running at the deadline. */
  stop(graceMs: number): Promise<string[]>;
  nextRuns(): Record<string, string | null>;
}

/** `dora agent`: every job on its schedule until stopped. */
export function startAgent(ctx: AgentContext, jobs: readonly Job[]): RunningAgent {
  const runner = new JobRunner(ctx);
  const schedule = scheduleJobs(jobs, runner, { timezone: ctx.config.schedule.timezone, log: ctx.log });
  return {
    nextRuns: () => schedule.nextRuns(),
    stop: async (graceMs) => {
      schedule.stop();
      return runner.stop(graceMs);
    },
  };
}
