import { Command, Option } from 'commander';
import { z } from 'zod';
import { storeOptions } from '../../config/load.js';
import { defaultDashboardsPath, environmentSettings, exportDashboards, refreshDashboards, settingsFromUrl, type DatasourceSettings } from '../../dashboards/index.js';
import type { Io } from '../../log.js';
import { commandContext, printJson, withStore, type CommandContext } from '../context.js';
import { createProgress, type Progress } from '../progress.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];

const ExportOptions = z.object({
  out: z.string().min(1),
  datasourceUrl: z.string().min(1).optional(),
  datasourceUser: z.string().min(1).optional(),
  passwordEnv: z.string().min(1),
  fromEnv: z.boolean().optional(),
  dashboardsPath: z.string().min(1),
  format: z.enum(['text', 'json']),
});

const RefreshOptions = z.object({ env: z.array(z.string()).optional(), format: z.enum(['text', 'json']) });

/** The data source: --datasource-url, else the server the agent uses; with neither, Grafana's environment. */
function datasourceSettings(ctx: CommandContext, options: z.infer<typeof ExportOptions>): { settings: DatasourceSettings; embedded: boolean } {
  const store = storeOptions(ctx.loaded.config, ctx.globals);
  const url = options.datasourceUrl ?? store.url;
  if (options.fromEnv || !url) {
    return { settings: { ...environmentSettings, passwordEnv: options.passwordEnv }, embedded: !url };
  }
  const username = options.datasourceUser ?? store.username;
  return {
    settings: settingsFromUrl(url, { ...(username ? { username } : {}), ...(store.database ? { database: store.database } : {}), passwordEnv: options.passwordEnv }),
    embedded: false,
  };
}

function exportCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('export')
    .description('Write the Grafana dashboards and provisioning files (data source, dashboard provider) into a folder')
    .requiredOption('--out <dir>', 'folder to write into (created if missing; only the dashboard and provisioning files are written)')
    .option('--datasource-url <url>', "ClickHouse's HTTP address as Grafana reaches it (default: the agent's server, DORA_CLICKHOUSE_URL)")
    .option('--datasource-user <user>', 'ClickHouse user for Grafana, ideally read-only (default: the agent\'s, DORA_CLICKHOUSE_USER)')
    .option('--password-env <name>', 'environment variable Grafana reads the password from', 'DORA_CLICKHOUSE_PASSWORD')
    .option('--from-env', 'leave every data source setting to Grafana\'s environment (DORA_CLICKHOUSE_HOST, _PORT, _PROTOCOL, _SECURE, _USER, _DATABASE)')
    .option('--dashboards-path <path>', 'where Grafana will find the dashboard files', defaultDashboardsPath)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ DORA_CLICKHOUSE_URL=https://ch.example.com:8443 dora dashboards export --out grafana
  $ dora dashboards export --out grafana --datasource-url http://clickhouse:8123 --datasource-user grafana_ro
  $ dora dashboards export --out grafana --from-env

Then start Grafana with the ClickHouse plugin, the provisioning folder and the dashboards:
  $ docker run -p 3000:3000 -e GF_INSTALL_PLUGINS=grafana-clickhouse-datasource \\
      -e DORA_CLICKHOUSE_PASSWORD -v "$PWD/grafana/provisioning:/etc/grafana/provisioning" \\
      -v "$PWD/grafana:${defaultDashboardsPath}" grafana/grafana

Grafana reads ClickHouse over the network: it needs a ClickHouse server the agent writes
to (DORA_CLICKHOUSE_URL), not the embedded store. The password is never written to a file.`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = ExportOptions.parse(raw);
      const ctx = commandContext(command, io);
      const { settings, embedded } = datasourceSettings(ctx, options);
      const result = exportDashboards({ out: options.out, datasource: settings, dashboardsPath: options.dashboardsPath });
      if (embedded) {
        const say = options.fromEnv ? ctx.log.info : ctx.log.warn;
        say('the agent uses the embedded store, which Grafana cannot read: the data source is left to Grafana\'s environment (DORA_CLICKHOUSE_HOST, ...)');
        ctx.log.info('hint: point the agent at a ClickHouse server (DORA_CLICKHOUSE_URL) and collect or import there; see "Grafana dashboards" in the README');
      }
      const { passwordEnv, ...shown } = settings;
      if (options.format === 'json') {
        printJson(io, { out: result.out, files: result.files, datasource: { ...shown, password: `from the environment: ${passwordEnv}` }, embedded_store: embedded });
      } else {
        ctx.log.info(`wrote ${result.files.length} files to ${result.out}:`);
        for (const file of result.files) ctx.log.info(`  ${file}`);
        const where = options.fromEnv || embedded
          ? "from Grafana's environment (DORA_CLICKHOUSE_HOST, _PORT, _PROTOCOL, _SECURE, _USER, _DATABASE)"
          : `${shown.secure === true ? 'https' : 'http'}://${shown.host}:${shown.port}${shown.path}, user ${shown.username}, database ${shown.database}`;
        ctx.log.info(`data source: ${where}; password from ${passwordEnv}`);
      }
      exit(0);
    });
}

function refreshCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('refresh')
    .description('Bring the tables the dashboards read up to date: derived deployments, changes and incidents, and the catalog\'s teams')
    .option('--env <name>', 'environments that count as production (repeatable; default: the config\'s "production")', collect)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ dora collect github && dora dashboards refresh
  $ dora dashboards refresh --env production --env prod --format json

Grafana only reads. Run this after each collection (dora report does the same work).`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = RefreshOptions.parse(raw);
      const ctx = commandContext(command, io);
      let progress: Progress | undefined;
      const summary = await withStore(ctx, async (store) => {
        try {
          return await refreshDashboards(store.client, {
            config: ctx.loaded.config,
            ...(options.env ? { environments: options.env } : {}),
            onProgress: (done, total, service) => {
              progress ??= createProgress(io, { label: 'deriving', total, unit: 'services' });
              progress.update(done, service);
            },
          });
        } finally {
          progress?.stop();
        }
      });
      if (options.format === 'json') {
        printJson(io, { scope: summary.scope, services: summary.services, derived: summary.derived, teams: summary.teams });
      } else {
        ctx.log.info(`derived ${summary.derived.length} of ${summary.services} services again (production set: ${summary.scope})`);
        const { written, services } = summary.teams;
        if (services === 0) ctx.log.info('no service catalog in the config (services.<name>.team): the dashboards\' team variable is empty');
        else ctx.log.info(written ? `wrote the teams of ${services} catalog services` : `catalog teams unchanged (${services} services)`);
      }
      exit(0);
    });
}

export function dashboardsCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('dashboards')
    .description('Grafana dashboards on the same definitions as dora report: export them, keep their tables fresh')
    .addCommand(exportCommand(io, exit))
    .addCommand(refreshCommand(io, exit))
    .addHelpText(
      'after',
      `
Examples:
  $ dora dashboards export --out grafana
  $ dora dashboards refresh`,
    );
}
