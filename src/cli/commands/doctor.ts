import { Command, Option } from 'commander';
import { renderIncidentSources } from '../../catalog/doctor.js';
import type { Io } from '../../log.js';
import { doctorReport, type DoctorReport } from '../../reports/doctor.js';
import { commandContext, printJson, withStore, type OutputFormat } from '../context.js';
import { shortTime, table } from '../render.js';

export function doctorCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('doctor')
    .description('Show what the store holds: events per kind, source and service, their time span, and the last runs')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ dora doctor
  $ dora doctor --format json | jq '.kinds.deployment.rows'
  $ dora doctor --clickhouse-url http://localhost:8123`,
    )
    .action(async (options: { format: OutputFormat }, command: Command) => {
      const ctx = commandContext(command, io);
      const { report, store } = await withStore(ctx, async (store) => ({
        report: await doctorReport(store.client, Object.keys(ctx.loaded.config.services)),
        store: { kind: store.kind, location: store.location, database: store.database },
      }));
      if (options.format === 'json') printJson(io, { store, config: ctx.loaded.path ?? null, ...report });
      else io.out(`${renderText(report, `${store.kind} store at ${store.location} (schema v${report.schema_version})`, ctx.loaded.path)}\n`);
      exit(0);
    });
}

function renderText(report: DoctorReport, storeLine: string, configPath: string | undefined): string {
  const kinds = Object.entries(report.kinds);
  const parts = [
    `store:  ${storeLine}`,
    `config: ${configPath ?? 'none (defaults)'}`,
    '',
    table(['kind', 'rows', 'first', 'last'], kinds.map(([kind, summary]) => [kind, summary.rows, shortTime(summary.first), shortTime(summary.last)])),
  ];
  const groups = kinds.flatMap(([kind, summary]) =>
    summary.by_source.map((group) => [kind, group.source, group.group, group.rows, shortTime(group.first), shortTime(group.last)]),
  );
  if (groups.length > 0) parts.push('', table(['kind', 'source', 'service / repo', 'rows', 'first', 'last'], groups));
  if (report.deployments_by_environment.length > 0) {
    parts.push('', table(['deployments by environment', 'status', 'rows'], report.deployments_by_environment.map((row) => [row.environment, row.status, row.rows])));
  }
  parts.push(...renderIncidentSources(report.incident_sources, table));
  parts.push('');
  if (report.runs.length === 0) parts.push('nothing imported or collected yet: try `dora import FILE` or `dora record deployment --help`');
  else {
    parts.push(
      table(
        ['last run', 'of', 'finished', 'status', 'accepted', 'rejected'],
        report.runs.map((run) => [run.source, run.scope || '-', shortTime(run.finished_at), run.status, run.accepted, run.rejected]),
      ),
    );
    for (const run of report.runs.filter((candidate) => candidate.message)) parts.push(`${run.source}: ${run.message}`);
  }
  return parts.join('\n');
}

