import { AgentError, ExitCode } from '../errors.js';
import { scrub } from '../log.js';
import { JobFailure, type AgentContext, type Job, type JobOutcome, type JobResult } from './types.js';

interface InFlight {
  promise: Promise<JobOutcome>;
  controller: AbortController;
  startedAt: number;
}

/** Serialises work that derives: release checks, digests and figures each bring derive up to date first. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

const DERIVES = new Set(['check', 'digest', 'figures']);

/**
 * Runs jobs: a job still running when its next turn comes is skipped, not stacked;
 * a failing job is logged, counted and marked on its span, and never touches the others.
 * Jobs that derive run one at a time; collections run alongside anything.
 */
export class JobRunner {
  private readonly running = new Map<string, InFlight>();
  private stopping = false;
  private readonly derive = new Mutex();

  constructor(private readonly ctx: AgentContext) {}

  /** Names of the jobs running now. */
  get busy(): string[] {
    return [...this.running.keys()];
  }

  run(job: Job, trigger: 'scheduled' | 'once'): Promise<JobOutcome> {
    const startedAt = this.ctx.now();
    const current = this.running.get(job.name);
    if (current || this.stopping) {
      const reason = this.stopping ? 'the agent is stopping' : 'the previous run is still going';
      if (current) this.ctx.log.warn('job skipped: the previous run is still going', { job: job.name, running_ms: startedAt - current.startedAt });
      this.ctx.telemetry.add('dora.agent.job.runs', 1, { job: job.name, outcome: 'skipped' });
      return Promise.resolve({ job: job.name, status: 'skipped', started_at: new Date(startedAt).toISOString(), duration_ms: 0, result: { reason } });
    }
    const controller = new AbortController();
    const promise = this.execute(job, trigger, controller.signal, startedAt).finally(() => this.running.delete(job.name));
    this.running.set(job.name, { promise, controller, startedAt });
    return promise;
  }

  private async execute(job: Job, trigger: string, signal: AbortSignal, startedAt: number): Promise<JobOutcome> {
    const log = this.ctx.log.with({ job: job.name });
    const { telemetry } = this.ctx;
    const attributes = { 'dora.job': job.name, 'dora.job.kind': job.kind, ...(job.source ? { 'dora.source': job.source } : {}) };
    const outcome = (status: JobOutcome['status'], result: JobResult, extra: Partial<JobOutcome> = {}): JobOutcome => ({
      job: job.name,
      status,
      started_at: new Date(startedAt).toISOString(),
      duration_ms: this.ctx.now() - startedAt,
      result,
      ...extra,
    });
    log.info('job started', { trigger });
    try {
      const result = await telemetry.span(`job ${job.name}`, { ...attributes, 'dora.trigger': trigger }, async (span) => {
        const work = () => job.run({ ...this.ctx, log, signal });
        const value = DERIVES.has(job.kind) ? await this.derive.run(work) : await work();
        span.setAttributes(Object.fromEntries(Object.entries(value).map(([key, item]) => [`dora.${key}`, item])));
        return value;
      });
      const done = outcome('ok', result);
      log.info('job finished', { duration_ms: done.duration_ms, ...result });
      telemetry.add('dora.agent.job.runs', 1, { job: job.name, outcome: 'ok' });
      telemetry.jobDuration(done.duration_ms / 1000, { job: job.name, outcome: 'ok' });
      return done;
    } catch (error) {
      const message = scrub((error as Error)?.message ?? String(error));
      const exitCode = error instanceof JobFailure || error instanceof AgentError ? error.exitCode : ExitCode.failure;
      const result = error instanceof JobFailure ? error.result : {};
      const failed = outcome('failed', result, { error: message, exit_code: exitCode });
      log.error('job failed', { duration_ms: failed.duration_ms, reason: message, ...result });
      telemetry.add('dora.agent.job.runs', 1, { job: job.name, outcome: 'failed' });
      telemetry.add('dora.agent.errors', 1, { job: job.name, ...(job.source ? { source: job.source } : {}) });
      telemetry.jobDuration(failed.duration_ms / 1000, { job: job.name, outcome: 'failed' });
      return failed;
    }
  }

  /**
   * Stop taking work, abort what is running (collections stop pulling pages at once;
   * checks and digests finish their step), and wait for it up to `graceMs`.
   * Resolves with the jobs still running at the deadline.
   */
  async stop(graceMs: number): Promise<string[]> {
    this.stopping = true;
    for (const item of this.running.values()) item.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.running.values()].map((item) => item.promise)), deadline]);
    clearTimeout(timer);
    return this.busy;
  }
}
