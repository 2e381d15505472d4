import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import type { Telemetry } from '../telemetry/index.js';
import type { AgentLogger } from './log.js';

export type JobKind = 'collect' | 'check' | 'digest' | 'figures';

/** What a job reports about its run: logged, set on its span, printed by `--once --format json`. */
export type JobResult = Record<string, string | number | boolean>;

/** Everything a job needs; one per agent process. */
export interface AgentContext {
  client: ClickHouseClient;
  config: Config;
  log: AgentLogger;
  telemetry: Telemetry;
  env: NodeJS.ProcessEnv;
  fetch: typeof fetch;
  /** Who this agent is, in the alert and digest ledgers. */
  agentId: string;
  /** Where the digest's markdown goes, if anywhere. */
  digestDir?: string;
  /** Emit new production deployments as spans (when traces are exported). Default true. */
  deploymentSpans: boolean;
  now: () => number;
}

/** One run of a job: the context with the job's logger and its abort signal. */
export interface RunContext extends AgentContext {
  signal: AbortSignal;
}

/** The job failed in a way that has an exit code (a delivery failed: 5; a channel misconfigured: 2). */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly result: JobResult,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

export interface Job {
  /** `collect:github`, `check`, `digest`, `figures`. */
  name: string;
  kind: JobKind;
  cron: string;
  source?: string;
  run(ctx: RunContext): Promise<JobResult>;
}

export interface JobOutcome {
  job: string;
  status: 'ok' | 'failed' | 'skipped';
  started_at: string;
  duration_ms: number;
  result: JobResult;
  error?: string;
  exit_code?: number;
}
