import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/** `dora dashboards export`: ready-to-provision files, the data source from the agent's settings, never a password. */

const tmp = tempDir('dora-dashboards-export-');
afterAll(() => tmp.remove());
const repoDashboards = join(new URL('..', import.meta.url).pathname, 'dashboards');
const SECRET = 'hunter2-not-in-any-file';
let out: string;
let count = 0;

beforeEach(() => {
  out = join(tmp.dir, `grafana-${++count}`);
  process.env.DORA_CLICKHOUSE_PASSWORD = SECRET;
});
afterEach(() => {
  delete process.env.DORA_CLICKHOUSE_PASSWORD;
});

const exported = (name: string) => readFileSync(join(out, name), 'utf8');
const datasource = () => parse(exported('provisioning/datasources/dora-clickhouse.yaml')).datasources[0];
const noSecret = (...texts: string[]) => texts.every((text) => !text.includes(SECRET));
const allFiles = () => readdirSync(out, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));

describe('dora dashboards export', () => {
  it("fills the data source from the agent's server, with Grafana's own user, and reads the password from the environment", async () => {
    const result = await runCli(['--clickhouse-url', 'https://ch.example.com:8443', '--clickhouse-user', 'agent', '--clickhouse-database', 'metrics',
      'dashboards', 'export', '--out', out, '--datasource-user', 'grafana_ro']);
    expect(result.code).toBe(0);
    expect(datasource()).toEqual({
      name: 'DORA ClickHouse',
      uid: 'dora-clickhouse',
      type: 'grafana-clickhouse-datasource',
      editable: false,
      jsonData: { host: 'ch.example.com', port: 8443, protocol: 'http', secure: true, username: 'grafana_ro', defaultDatabase: 'metrics' },
      secureJsonData: { password: '$DORA_CLICKHOUSE_PASSWORD' },
    });
    expect(parse(exported('provisioning/dashboards/dora.yaml')).providers[0]).toEqual({
      name: 'dora', orgId: 1, folder: 'DORA', type: 'file', disableDeletion: false, updateIntervalSeconds: 60, allowUiUpdates: false,
      options: { path: '/var/lib/grafana/dashboards/dora', foldersFromFilesStructure: false },
    });
    expect(result.stderr).toContain('data source: https://ch.example.com:8443, user grafana_ro, database metrics; password from DORA_CLICKHOUSE_PASSWORD');
    expect(noSecret(result.stdout, result.stderr, ...allFiles())).toBe(true);
    // The dashboards are the ones in the repository.
    for (const name of ['dora-overview.json', 'dora-drill-down.json', 'dora-release-health.json', 'dora-debug.json']) {
      expect(exported(name)).toEqual(readFileSync(join(repoDashboards, name), 'utf8'));
    }
  });

  it('--datasource-url is the address Grafana reaches (a plain HTTP port inside a container network); a path is kept', async () => {
    const result = await runCli(['dashboards', 'export', '--out', out, '--datasource-url', 'http://clickhouse:8123/ch', '--password-env', 'GRAFANA_CH_PASSWORD', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(datasource().jsonData).toEqual({ host: 'clickhouse', port: 8123, protocol: 'http', secure: false, path: '/ch', username: 'default', defaultDatabase: 'dora' });
    expect(datasource().secureJsonData).toEqual({ password: '$GRAFANA_CH_PASSWORD' });
    expect(result.json()).toEqual({
      out,
      files: ['dora-overview.json', 'dora-drill-down.json', 'dora-release-health.json', 'dora-debug.json', 'provisioning/datasources/dora-clickhouse.yaml', 'provisioning/dashboards/dora.yaml'],
      datasource: { host: 'clickhouse', port: 8123, protocol: 'http', secure: false, path: '/ch', username: 'default', database: 'dora', password: 'from the environment: GRAFANA_CH_PASSWORD' },
      embedded_store: false,
    });
  });

  it('with the embedded store it says plainly that Grafana needs a server, and leaves the data source to Grafana\'s environment', async () => {
    const result = await runCli(['dashboards', 'export', '--out', out, '--dashboards-path', '/srv/dora']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: the agent uses the embedded store, which Grafana cannot read');
    expect(result.stderr).toContain('DORA_CLICKHOUSE_URL');
    expect(datasource().jsonData).toEqual({
      host: '$DORA_CLICKHOUSE_HOST', port: '$DORA_CLICKHOUSE_PORT', protocol: '$DORA_CLICKHOUSE_PROTOCOL', secure: '$DORA_CLICKHOUSE_SECURE',
      username: '$DORA_CLICKHOUSE_USER', defaultDatabase: '$DORA_CLICKHOUSE_DATABASE',
    });
    expect(parse(exported('provisioning/dashboards/dora.yaml')).providers[0].options.path).toEqual('/srv/dora');
    // Exporting again gives the same files.
    const first = allFiles();
    expect((await runCli(['dashboards', 'export', '--out', out, '--dashboards-path', '/srv/dora'])).code).toBe(0);
    expect(allFiles()).toEqual(first);
  });

  it('bad input is named and nothing half-written is claimed (exit 2)', async () => {
    const badUrl = await runCli(['dashboards', 'export', '--out', out, '--datasource-url', 'clickhouse:9000']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('invalid ClickHouse URL');
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    const notAFolder = await runCli(['dashboards', 'export', '--out', file]);
    expect(notAFolder.code).toBe(2);
    expect(notAFolder.stderr).toContain(`--out: ${file} is a file; expected a folder`);
    const badEnv = await runCli(['dashboards', 'export', '--out', out, '--password-env', 'not a name']);
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('--password-env: "not a name" is not an environment variable name');
    const missing = await runCli(['dashboards', 'export']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--out <dir>' not specified");
  });

  it('--help shows examples, and how to start Grafana with the files', async () => {
    const help = await runCli(['dashboards', 'export', '--help']);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('GF_INSTALL_PLUGINS=grafana-clickhouse-datasource');
    expect((await runCli(['dashboards', '--help'])).stdout).toContain('dora dashboards refresh');
  });
});
