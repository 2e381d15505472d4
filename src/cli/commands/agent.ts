import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { agentLogger, planJobs, runOnce, startAgent, type AgentContext, type AgentLogger, type Job, type JobOutcome } from '../../agent/index.js';
import { ConfigError, ExitCode } from '../../errors.js';
import { processIo, type Io } from '../../log.js';
import { startTelemetry } from '../../telemetry/index.js';
import { commandContext, printJson, withStore } from '../context.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];

const Options = z.object({
  once: z.boolean().optional(),
  only: z.array(z.string().min(1)).optional(),
  format: z.enum(['text', 'json']),
  logFormat: z.enum(['text', 'json']).optional(),
  grace: z.coerce.number({ error: 'expected a number of seconds' }).min(0).max(3600),
  digestDir: z.string().min(1).optional(),
  deploymentSpans: z.boolean(),
});

/** How long telemetry may take to flush on the way out: an unreachable collector must not hold the process. */
const TELEMETRY_FLUSH_MS = 5000;

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

function renderOutcomes(outcomes: JobOutcome[]): string {
  const width = Math.max(4, ...outcomes.map((item) => item.job.length));
  const lines = outcomes.map((item) => {
    const fields = Object.entries(item.result).map(([key, value]) => `${key}=${value}`).join(' ');
    return `${item.job.padEnd(width)}  ${item.status.padEnd(7)} ${(item.duration_ms / 1000).toFixed(1).padStart(6)} s  ${item.error ? `${item.error}${fields ? ` (${fields})` : ''}` : fields}`;
  });
  return `${lines.join('\n')}\n`;
}

/** Until SIGTERM or SIGINT; a second signal while stopping exits at once. */
function untilSignal(log: AgentLogger): { received: Promise<NodeJS.Signals>; release: () => void } {
  let first: NodeJS.Signals | undefined;
  let resolve!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((done) => (resolve = done));
  const handler = (signal: NodeJS.Signals) => {
    if (first) {
      log.error('second signal: exiting now, without waiting for running jobs', { signal });
      process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 15));
    }
    first = signal;
    resolve(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    received,
    release: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}

async function runScheduled(ctx: AgentContext, jobs: Job[], graceMs: number): Promise<number> {
  const signals = untilSignal(ctx.log);
  try {
    const agent = startAgent(ctx, jobs);
    ctx.log.info('agent started', {
      jobs: jobs.map((job) => `${job.name} (${job.cron})`).join(', '),
      timezone: ctx.config.schedule.timezone,
      telemetry: Object.entries(ctx.telemetry.signals).filter(([, on]) => on).map(([name]) => name).join(', ') || 'off',
      next: Object.entries(agent.nextRuns()).map(([job, at]) => `${job} ${at ?? 'never'}`).join(', '),
    });
    const signal = await signals.received;
    ctx.log.info('agent stopping', { signal, grace_s: graceMs / 1000 });
    const left = await agent.stop(graceMs);
    if (left.length > 0) {
      ctx.log.error('jobs still running at the end of the grace period; leaving them', { jobs: left.join(', ') });
      return 128 + (SIGNAL_NUMBERS[signal] ?? 15);
    }
    ctx.log.info('agent stopped', { signal });
    return ExitCode.ok;
  } finally {
    signals.release();
  }
}

export function agentCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('agent')
    .description('Run unattended: collect, check releases and send the weekly digest on the config\'s schedule; export OpenTelemetry when OTEL_EXPORTER_OTLP_* is set')
    .option('--once', 'run every job once and exit (for cron and CI)')
    .option('--only <job>', 'only these jobs: collect, collect:<source>, check, digest, figures (repeatable, or comma-separated)', list)
    .addOption(new Option('--format <format>', 'with --once: the jobs\' outcomes as text or JSON on stdout').choices(['text', 'json']).default('text'))
    .addOption(new Option('--log-format <format>', 'log lines on stderr (default: text on a terminal, JSON lines otherwise)').choices(['text', 'json']))
    .option('--grace <seconds>', 'on SIGTERM/SIGINT, how long running jobs may take to finish', '10')
    .option('--digest-dir <dir>', 'also write each weekly digest there as markdown (config: schedule.digestDir)')
    .option('--no-deployment-spans', 'do not export new production deployments as spans')
    .addHelpText(
      'after',
      `
Examples:
  $ dora agent                                    collect, check and digest on schedule
  $ dora agent --once --format json               every job once, e.g. from cron
  $ dora agent --once --only collect,check
  $ OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 dora agent

Schedules come from the config's "schedule" section (node-cron expressions: five
fields, or six with seconds first), read in schedule.timezone:
  "schedule": { "timezone": "Europe/Berlin", "collect": "*/10 * * * *",
                "check": "*/5 * * * *", "digest": "0 9 * * MON" }
Each configured source is its own job (schedule.sources.<id> overrides collect);
false turns a job off. A job whose previous run is still going is skipped. The
digest covers the last complete week and goes once per week to the alert channels.

Exit codes: 0 ok (--once: every job ran and succeeded; scheduled: stopped cleanly);
the failing job's code with --once (5 a source or channel unavailable, 2 config);
128+signal when jobs had to be left running at the end of --grace.`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = Options.parse(raw);
      const context = commandContext(command, io);
      const { config } = context.loaded;
      const log = agentLogger(io, { format: options.logFormat ?? (io.interactive ? 'text' : 'json'), quiet: Boolean(context.globals.quiet) });
      const telemetry = await startTelemetry({ version, log });
      let code: number = ExitCode.ok;
      try {
        code = await withStore(context, async (store) => {
          const digestDir = options.digestDir ?? config.schedule.digestDir;
          const ctx: AgentContext = {
            client: store.client,
            config,
            log,
            telemetry,
            env: process.env,
            fetch: globalThis.fetch,
            agentId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
            deploymentSpans: options.deploymentSpans,
            now: Date.now,
            ...(digestDir ? { digestDir } : {}),
          };
          const jobs = planJobs(config, { telemetry, ...(options.only ? { only: options.only } : {}), warn: (message, fields) => log.warn(message, fields) });
          if (jobs.length === 0) {
            throw new ConfigError('nothing to run: every job is turned off', { suggestion: 'configure sources and the "schedule" section of dora.config.json' });
          }
          if (!options.once) return runScheduled(ctx, jobs, options.grace * 1000);
          const outcomes = await runOnce(ctx, jobs);
          if (options.format === 'json') printJson(io, { jobs: outcomes });
          else io.out(renderOutcomes(outcomes));
          return outcomes.find((item) => item.status === 'failed')?.exit_code ?? ExitCode.ok;
        });
      } finally {
        const flushed = await telemetry.shutdown(TELEMETRY_FLUSH_MS);
        if (flushed === 'timed out' || flushed === 'failed') log.warn('telemetry not flushed: the OTLP endpoint did not answer in time', { outcome: flushed, timeout_ms: TELEMETRY_FLUSH_MS });
        // As the real process, leave even if a job stuck past its grace or an exporter still
        // holds a socket; the timer is unref'd, so a clean exit never waits for it.
        if (io === processIo) setTimeout(() => process.exit(process.exitCode ?? code), 1000).unref();
      }
      exit(code);
    });
}
