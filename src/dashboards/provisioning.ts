import { stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { datasourceName, datasourceUid, pluginId } from './grafana.js';

/**
 * Grafana provisioning files: the ClickHouse data source (the server the agent writes
 * to) and a file provider for the dashboards. A password is never written: Grafana reads
 * it from its own environment (`$DORA_CLICKHOUSE_PASSWORD`; provisioning files expand
 * `$NAME`, and the unbraced form keeps a `$` inside the value from expanding again).
 */

export interface DatasourceSettings {
  host: string;
  port: number | string;
  protocol: 'http' | 'native' | string;
  secure: boolean | string;
  /** HTTP path in front of ClickHouse (a proxy), '' for none. */
  path: string;
  username: string;
  database: string;
  /** Environment variable Grafana reads the password from. */
  passwordEnv: string;
}

/** Every setting left to Grafana's environment: for the embedded default and for files kept in a repository. */
export const environmentSettings: DatasourceSettings = {
  host: '$DORA_CLICKHOUSE_HOST',
  port: '$DORA_CLICKHOUSE_PORT',
  protocol: '$DORA_CLICKHOUSE_PROTOCOL',
  secure: '$DORA_CLICKHOUSE_SECURE',
  path: '',
  username: '$DORA_CLICKHOUSE_USER',
  database: '$DORA_CLICKHOUSE_DATABASE',
  passwordEnv: 'DORA_CLICKHOUSE_PASSWORD',
};

/** Settings from a ClickHouse URL (`https://host:8443`, `http://clickhouse:8123/proxy`): HTTP, TLS for https. */
export function settingsFromUrl(url: string, options: { username?: string; database?: string; passwordEnv?: string } = {}): DatasourceSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`invalid ClickHouse URL ${JSON.stringify(url)}: expected http(s)://host:port`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`invalid ClickHouse URL ${JSON.stringify(parsed.origin)}: expected http:// or https:// (the HTTP interface, port 8123 or 8443)`);
  }
  const secure = parsed.protocol === 'https:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 8443 : 8123,
    protocol: 'http',
    secure,
    path: parsed.pathname === '/' ? '' : parsed.pathname,
    // A user in the URL is the agent's; the data source gets the one named for it.
    username: options.username ?? (decodeURIComponent(parsed.username) || 'default'),
    database: options.database ?? 'dora',
    passwordEnv: options.passwordEnv ?? 'DORA_CLICKHOUSE_PASSWORD',
  };
}

const header = (lines: string[]) => lines.map((line) => `# ${line}`.trimEnd()).join('\n');

export function datasourceYaml(settings: DatasourceSettings): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(settings.passwordEnv)) {
    throw new ConfigError(`--password-env: ${JSON.stringify(settings.passwordEnv)} is not an environment variable name`);
  }
  const body = {
    apiVersion: 1,
    datasources: [
      {
        name: datasourceName,
        uid: datasourceUid,
        type: pluginId,
        editable: false,
        jsonData: {
          host: settings.host,
          port: settings.port,
          protocol: settings.protocol,
          secure: settings.secure,
          ...(settings.path ? { path: settings.path } : {}),
          username: settings.username,
          defaultDatabase: settings.database,
        },
        secureJsonData: { password: `$${settings.passwordEnv}` },
      },
    ],
  };
  return `${header([
    'Written by `dora dashboards export`: the ClickHouse server the agent writes to, for the',
    'ClickHouse data source plugin (grafana-clickhouse-datasource, installed in Grafana).',
    `The password is not in this file: Grafana reads it from its environment (${settings.passwordEnv}).`,
    'Use a read-only ClickHouse user (readonly = 2, so the plugin may still set max_execution_time).',
  ])}\n${stringify(body)}`;
}

export function dashboardProviderYaml(dashboardsPath: string): string {
  const body = {
    apiVersion: 1,
    providers: [
      {
        name: 'dora',
        orgId: 1,
        folder: 'DORA',
        type: 'file',
        disableDeletion: false,
        updateIntervalSeconds: 60,
        allowUiUpdates: false,
        options: { path: dashboardsPath, foldersFromFilesStructure: false },
      },
    ],
  };
  return `${header([
    'Written by `dora dashboards export`: Grafana loads the DORA dashboards (the *.json files',
    `exported beside this folder) from ${dashboardsPath}; mount them there.`,
  ])}\n${stringify(body)}`;
}
