import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Io } from '../../log.js';
import { parseExplainMetric } from '../../reports/explain.js';
import {
  buildReport,
  explainMetric,
  renderExplanation,
  renderReport,
  reportFormats,
  resolveWindow,
  UsageError,
  type ReportFormat,
  type ReportOptions,
} from '../../reports/index.js';
import { commandContext, withStore } from '../context.js';
import { createProgress, type Progress } from '../progress.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];

const Options = z.object({
  since: z.string().optional(),
  until: z.string().optional(),
  service: z.array(z.string()).optional(),
  team: z.string().min(1).optional(),
  env: z.array(z.string()).optional(),
  benchmark: z.enum(['2023', '2021']),
  tz: z.string().min(1),
  format: z.enum(['table', 'json', 'markdown', 'csv', 'html']),
  out: z.string().min(1).optional(),
  explain: z.string().optional(),
});

export function reportCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('report')
    .description('DORA metrics per service and team: deployment frequency, lead time, change failure rate, time to restore, recovery time, rework rate')
    .option('--since <when>', 'window start, included: a date or time (read in --tz unless it has a zone) or relative to --until: 30d, 12w, 6m, 48h (default: 30d)')
    .option('--until <when>', 'window end, excluded (default: the coming midnight in --tz, so today is in)')
    .option('--service <name>', 'only this service (repeatable, or comma-separated)', collect)
    .option('--team <name>', "only the services of this team (the service catalog's `team`)")
    .option('--env <name>', 'environments that count as production (repeatable; default: the config\'s "production")', collect)
    .addOption(new Option('--benchmark <set>', 'DORA benchmark set for the tiers').choices(['2023', '2021']).default('2023'))
    .option('--tz <zone>', 'IANA time zone for days, weeks (Monday) and months', 'UTC')
    .addOption(new Option('--format <format>', 'output format (json: indented on a terminal, one line when piped or with --out)').choices(reportFormats).default('table'))
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--explain <metric>', 'list the rows behind one figure and why each counted: deployment_frequency, lead_time, change_failure_rate, time_to_restore, recovery_time, rework_rate')
    .addHelpText(
      'after',
      `
Examples:
  $ dora report                                   last 30 days, every service
  $ dora report --since 2026-03-01 --until 2026-04-01 --service api --format json
  $ dora report --since 12w --team core --tz Europe/Berlin
  $ dora report --since 90d --format html --out dora.html
  $ dora report --explain change_failure_rate --service api

Windows are half-open: --since is included, --until is not. The trend compares with
the window of the same length just before. A figure from fewer than 5 rows gets no
tier ("insufficient data"); no data at all is "n/a" (null in JSON), never 0.`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = Options.parse(raw);
      const ctx = commandContext(command, io);
      const window = resolveWindow({ tz: options.tz, ...(options.since ? { since: options.since } : {}), ...(options.until ? { until: options.until } : {}) });
      const explain = options.explain ? parseExplainMetric(options.explain) : undefined;
      if (explain && options.format === 'html') throw new UsageError('--explain: use --format table, json, csv or markdown');
      let progress: Progress | undefined;
      const reportOptions: ReportOptions = {
        ...window,
        config: ctx.loaded.config,
        benchmark: options.benchmark,
        tz: options.tz,
        ...(options.service ? { services: options.service } : {}),
        ...(options.team ? { team: options.team } : {}),
        ...(options.env ? { environments: options.env } : {}),
        onProgress: (done, total, service) => {
          if (total < 20) return;
          progress ??= createProgress(io, { label: 'deriving', total, unit: 'services' });
          progress.update(done, service);
        },
      };
      const output = await withStore(ctx, async (store) => {
        try {
          if (explain) return renderExplanation(await explainMetric(store.client, explain, reportOptions), options.format as 'table');
          const report = await buildReport(store.client, reportOptions);
          if (report.overall.deployment_frequency.deployments === 0 && report.overall.time_to_restore.incidents === 0) {
            ctx.log.warn('no production deployment or incident in the window', {
              since: report.window.since,
              until: report.window.until,
              production: report.environment,
            });
            ctx.log.info('hint: `dora doctor` shows what the store holds and its time span; --env names other environments');
          }
          // JSON for a program (piped, or to a file) on one line; indented on a terminal.
          return renderReport(report, options.format as ReportFormat, { pretty: !options.out && io.outputIsTerminal === true });
        } finally {
          progress?.stop();
        }
      });
      if (options.out) {
        const path = resolve(options.out);
        writeFileSync(path, output);
        ctx.log.info(`wrote the ${explain ? `${explain} explanation` : `${options.format} report`} to ${path}`);
      } else io.out(output);
      exit(0);
    });
}
