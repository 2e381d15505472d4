import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { allDashboards } from './boards/index.js';
import { dashboardProviderYaml, datasourceYaml, type DatasourceSettings } from './provisioning.js';

/** Where Grafana finds the dashboards unless told otherwise (the provider's `path`). */
export const defaultDashboardsPath = '/var/lib/grafana/dashboards/dora';

export const datasourceFile = join('provisioning', 'datasources', 'dora-clickhouse.yaml');
export const providerFile = join('provisioning', 'dashboards', 'dora.yaml');

export interface ExportOptions {
  out: string;
  datasource: DatasourceSettings;
  /** Default `/var/lib/grafana/dashboards/dora`. */
  dashboardsPath?: string;
}

/** The files of an export, relative to its folder, with their contents. */
export function exportFiles(options: Omit<ExportOptions, 'out'>): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, dashboard] of Object.entries(allDashboards())) files[name] = `${JSON.stringify(dashboard, null, 2)}\n`;
  files[datasourceFile] = datasourceYaml(options.datasource);
  files[providerFile] = dashboardProviderYaml(options.dashboardsPath ?? defaultDashboardsPath);
  return files;
}

/** Write the dashboards and provisioning files into `out` (created if missing; only these files are written). */
export function exportDashboards(options: ExportOptions): { out: string; files: string[] } {
  const out = resolve(options.out);
  try {
    if (!statSync(out).isDirectory()) throw new ConfigError(`--out: ${out} is a file; expected a folder`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const files = exportFiles(options);
  for (const [name, content] of Object.entries(files)) {
    const path = join(out, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return { out, files: Object.keys(files) };
}
