import { Command, Option } from 'commander';
import { z } from 'zod';
import { ExitCode } from '../../errors.js';
import { runCheck, type CheckResult } from '../../health/index.js';
import { releaseName, verdictDetail, verdictJson } from '../../health/render.js';
import type { Io } from '../../log.js';
import { parseTimeArgument } from '../../reports/window.js';
import { commandContext, printJson, withStore } from '../context.js';
import { createProgress, type Progress } from '../progress.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];

const Options = z.object({
  service: z.array(z.string().min(1)).optional(),
  since: z.string().min(1).optional(),
  dryRun: z.boolean().optional(),
  failOn: z.enum(['rollback', 'watch']).optional(),
  format: z.enum(['text', 'json']),
});

/** 1 with --fail-on and a release at that verdict; else 5 when an alert could not be delivered; else 2 for a misconfigured channel. */
export function checkExitCode(result: CheckResult, failOn: 'rollback' | 'watch' | undefined): number {
  const flagged = result.evaluation.verdicts.some((item) => item.state === 'live' && (item.verdict === 'rollback' || (failOn === 'watch' && item.verdict === 'watch')));
  if (failOn && flagged) return ExitCode.failure;
  if (result.alerts.failed.length > 0) return ExitCode.sourceUnavailable;
  if (result.problems.length > 0) return ExitCode.usage;
  return ExitCode.ok;
}

function renderText(result: CheckResult): string {
  const { verdicts, telemetry } = result.evaluation;
  const services = new Set(verdicts.map((item) => item.service));
  const count = (verdict: string) => verdicts.filter((item) => item.verdict === verdict).length;
  const lines = [
    `checked ${verdicts.length} release${verdicts.length === 1 ? '' : 's'} of ${services.size} service${services.size === 1 ? '' : 's'}: ${count('rollback')} rollback, ${count('watch')} watch, ${count('healthy')} healthy`,
    `telemetry: ${telemetry.table ? `compared in ${telemetry.table}` : `none (${telemetry.absent})`}`,
  ];
  const flagged = verdicts.filter((item) => item.verdict !== 'healthy').sort((a, b) => b.release.finishedAt - a.release.finishedAt);
  if (flagged.length > 0) lines.push('', flagged.map(verdictDetail).join('\n\n'));
  const { sent, failed, deferred, busy } = result.alerts;
  lines.push('');
  if (result.channels.length === 0 && result.problems.length === 0) {
    lines.push('alerts: no channel configured (set SLACK_WEBHOOK_URL, TEAMS_WEBHOOK_URL or DORA_WEBHOOK_URL, or the config\'s alerts section)');
  } else {
    lines.push(`alerts: ${sent.length} sent, ${failed.length} failed, ${deferred.length} deferred${busy.length ? `, ${busy.length} sent by another agent` : ''} (channels: ${result.channels.join(', ') || 'none'})`);
    for (const item of sent) lines.push(`  sent     ${item.channel}: ${item.headline}${item.attempts > 1 ? ` (${item.attempts} attempts)` : ''}`);
    for (const item of failed) lines.push(`  failed   ${item.error}`);
    for (const item of deferred) lines.push(`  deferred ${item.channel}: ${item.release} (${item.reason})`);
  }
  for (const problem of result.problems) lines.push(`  problem  ${problem.channel}: ${problem.message}`);
  return `${lines.join('\n')}\n`;
}

export function checkCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('check')
    .description('Judge the recent production releases, store the verdicts and send rollback alerts to chat (Slack, Teams, a webhook)')
    .option('--service <name>', 'only this service (repeatable, or comma-separated)', collect)
    .option('--since <when>', 'releases finished since (default: health.lookbackHours, 24 h): 6h, 2d, a date or an ISO time')
    .option('--dry-run', 'judge and show what would be sent; store and send nothing')
    .addOption(new Option('--fail-on <verdict>', 'exit 1 when a live release is judged this or worse').choices(['rollback', 'watch']))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... dora check
  $ dora check --service api --fail-on rollback      gate a pipeline on the release just made
  $ dora check --dry-run --format json

An alert goes out once per release and verdict on each channel, however often this
runs and however many agents share the store; a service's next alert waits
alerts.cooldownMinutes (30); at most alerts.maxPerRun (10) per run. A release that
was alerted and is then rolled back, replaced or no longer flagged gets one
resolution. Slack and Teams 429 and 5xx are retried after their Retry-After.

Exit codes: 0 ok; 1 with --fail-on, a live release at that verdict; 5 an alert
could not be delivered (the others were still sent; it is retried next run);
2 a channel is misconfigured; 4 store unavailable.`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = Options.parse(raw);
      const ctx = commandContext(command, io);
      const now = Date.now();
      const since = options.since ? parseTimeArgument(options.since, '--since', 'UTC', now, now) : undefined;
      let progress: Progress | undefined;
      let phase = '';
      const result = await withStore(ctx, async (store) => {
        try {
          return await runCheck(store.client, {
            config: ctx.loaded.config,
            now,
            ...(since !== undefined ? { since } : {}),
            ...(options.service ? { services: options.service } : {}),
            ...(options.dryRun ? { dryRun: true } : {}),
            onProgress: (current, done, total, item) => {
              if (total < 20) return;
              if (phase !== current) {
                progress?.stop();
                phase = current;
                progress = createProgress(io, { label: current === 'derive' ? 'deriving' : 'judging', total, unit: current === 'derive' ? 'services' : 'releases' });
              }
              progress?.update(done, item);
            },
          });
        } finally {
          progress?.stop();
        }
      });
      for (const problem of result.problems) ctx.log.warn('alert channel not usable', { channel: problem.channel, problem: problem.message });
      for (const failure of result.alerts.failed) ctx.log.warn('alert not delivered', { channel: failure.channel, release: failure.release, error: failure.error });
      if (options.format === 'json') {
        printJson(io, {
          since: new Date(result.since).toISOString(),
          evaluated_at: new Date(result.now).toISOString(),
          environment: result.evaluation.scope,
          dry_run: Boolean(options.dryRun),
          telemetry: result.evaluation.telemetry,
          releases: result.evaluation.verdicts.map(verdictJson),
          channels: result.channels,
          problems: result.problems,
          alerts: result.alerts,
        });
      } else {
        io.out(renderText(result));
        const flagged = result.evaluation.verdicts.filter((item) => item.verdict === 'rollback' && item.state === 'live');
        if (flagged.length > 0) ctx.log.info(`rollback recommended: ${flagged.map((item) => `${item.service} ${releaseName(item)}`).join(', ')}`);
      }
      exit(checkExitCode(result, options.failOn));
    });
}
