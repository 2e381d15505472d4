import { Command, Option } from 'commander';
import { z } from 'zod';
import { deriveMetrics } from '../../derive/run.js';
import { evaluateReleases, saveVerdicts } from '../../health/index.js';
import { verdictDetail, verdictJson, verdictRows } from '../../health/render.js';
import type { Io } from '../../log.js';
import { parseTimeArgument } from '../../reports/window.js';
import { commandContext, printJson, withStore } from '../context.js';
import { createProgress, type Progress } from '../progress.js';
import { table } from '../render.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];

const Options = z.object({
  service: z.array(z.string().min(1)).optional(),
  flagged: z.boolean().optional(),
  since: z.string().min(1),
  format: z.enum(['text', 'json']),
});

export function releasesCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('releases')
    .description('Recent production releases with their health verdict (healthy, watch, rollback), reasons and the release to return to')
    .option('--service <name>', 'only this service (repeatable, or comma-separated)', collect)
    .option('--flagged', 'only releases judged watch or rollback')
    .option('--since <when>', 'releases finished since: 48h, 7d, 2w, a date or an ISO time', '7d')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ dora releases                          the last 7 days, every service
  $ dora releases --service api --flagged  only api releases judged watch or rollback
  $ dora releases --since 48h --format json | jq '.releases[] | select(.verdict == "rollback")'

Each release is watched for health.windowHours (2 h) after it finishes, until the
next release at most. Signals: an incident attributed to it, a rollback away from it,
a revert of a commit it shipped, a failed health check, and, when OpenTelemetry
traces are in the same ClickHouse (telemetry.database.tracesTable, default
otel.otel_traces), its error ratio and p95 latency against the previous release.
Verdicts are stored; \`dora check\` also sends the alerts.`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = Options.parse(raw);
      const ctx = commandContext(command, io);
      const now = Date.now();
      const since = parseTimeArgument(options.since, '--since', 'UTC', now, now);
      let progress: Progress | undefined;
      const evaluation = await withStore(ctx, async (store) => {
        try {
          await deriveMetrics(store.client, {
            config: ctx.loaded.config,
            ...(options.service ? { services: options.service } : {}),
            onProgress: (done, total, service) => {
              if (total < 20) return;
              progress ??= createProgress(io, { label: 'deriving', total, unit: 'services' });
              progress.update(done, service);
            },
          });
          progress?.stop();
          progress = undefined;
          const result = await evaluateReleases(store.client, {
            config: ctx.loaded.config,
            since,
            now,
            ...(options.service ? { services: options.service } : {}),
            onProgress: (done, total, release) => {
              if (total < 20) return;
              progress ??= createProgress(io, { label: 'judging', total, unit: 'releases' });
              progress.update(done, release);
            },
          });
          await saveVerdicts(store.client, result.scope, result.verdicts);
          return result;
        } finally {
          progress?.stop();
        }
      });
      const shown = evaluation.verdicts
        .filter((item) => !options.flagged || item.verdict !== 'healthy')
        .sort((a, b) => b.release.finishedAt - a.release.finishedAt || (a.release.id < b.release.id ? -1 : 1));
      if (options.format === 'json') {
        printJson(io, {
          since: new Date(since).toISOString(),
          evaluated_at: new Date(now).toISOString(),
          environment: evaluation.scope,
          telemetry: evaluation.telemetry,
          releases: shown.map(verdictJson),
        });
      } else if (shown.length === 0) {
        io.out(`no ${options.flagged ? 'flagged ' : ''}production release since ${new Date(since).toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
      } else {
        const parts = [table(['service', 'release', 'finished', 'verdict', 'confidence', 'state', 'why'], verdictRows(shown))];
        const flagged = shown.filter((item) => item.verdict !== 'healthy');
        if (flagged.length > 0) parts.push('', flagged.map(verdictDetail).join('\n\n'));
        parts.push('', `telemetry: ${evaluation.telemetry.table ? `compared in ${evaluation.telemetry.table}` : `none (${evaluation.telemetry.absent})`}`);
        io.out(`${parts.join('\n')}\n`);
      }
      exit(0);
    });
}
