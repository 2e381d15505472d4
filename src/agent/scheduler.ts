import { createTask, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { AgentLogger } from './log.js';
import type { JobRunner } from './runner.js';
import type { Job } from './types.js';

export interface Schedule {
  /** When each job runs next, ISO. */
  nextRuns(): Record<string, string | null>;
  stop(): void;
}

/**
 * node-cron 4 tasks, one per job, in the schedule's time zone. The task only hands the
 * job to the runner and returns: the runner's own in-flight guard does the overlap
 * skipping (node-cron's `noOverlap` has left async tasks marked running, #461 #498), and
 * runs node-cron reports as missed (the event loop was blocked, #485) are logged.
 */
export function scheduleJobs(jobs: readonly Job[], runner: JobRunner, options: { timezone: string; log: AgentLogger }): Schedule {
  const cronLog: CronLogger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (message) => options.log.warn('scheduler warning', { detail: String(message) }),
    error: (message, error) => options.log.error('scheduler error', { detail: String(error ?? message) }),
  };
  const tasks: [Job, ScheduledTask][] = jobs.map((job) => {
    const task = createTask(job.cron, () => void runner.run(job, 'scheduled'), { name: job.name, timezone: options.timezone, logger: cronLog });
    task.on('execution:missed', (context) => options.log.warn('scheduled run missed: the process was busy', { job: job.name, at: context.date.toISOString() }));
    return [job, task];
  });
  for (const [, task] of tasks) void task.start();
  return {
    nextRuns: () => Object.fromEntries(tasks.map(([job, task]) => [job.name, task.getNextRun()?.toISOString() ?? null])),
    stop: () => {
      for (const [, task] of tasks) void task.destroy();
    },
  };
}
