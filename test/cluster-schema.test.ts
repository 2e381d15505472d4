import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { storeOptions } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { importEvents } from '../src/ingest/import.js';
import { buildReport } from '../src/reports/index.js';
import { clusterSettings, clusterStatements } from '../src/store/cluster.js';
import { openStore, type Store } from '../src/store/connect.js';
import { markEmbedded } from '../src/store/insert.js';
import { migrate, migrations } from '../src/store/schema.js';
import { queryRows, tempDir } from './helpers/store.js';

/**
 * The cluster option. No ClickHouse server or Keeper can run here, so this proves what it can:
 * 1. the DDL builder turns every migration into ON CLUSTER statements with Replicated engines and
 *    Distributed tables sharded by the natural id (checked as text);
 * 2. the same statements, minus what needs Keeper (`ON CLUSTER`, replication), run on the embedded
 *    engine with a real one-shard cluster (a config.xml the engine reads from its working directory),
 *    so every table the agent names is a Distributed table; imports, derive and a report then run
 *    through them with the cluster settings, and the figures come out as worked out by hand.
 * Not run here: distributed DDL (ON CLUSTER needs Keeper), replication, and more than one shard.
 */

const cluster = { name: 'dora_test', database: 'dora_cluster' };

describe('cluster DDL', () => {
  it('makes a Replicated local table and a Distributed table sharded by the ORDER BY key', () => {
    const commits = migrations[0]!.statements[0]!;
    const [local, distributed] = clusterStatements(commits, cluster);
    expect(local).toMatch(/^CREATE TABLE IF NOT EXISTS commits_local ON CLUSTER dora_test \(\n\s+repo LowCardinality\(String\),/);
    expect(local).toMatch(
      /\) ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/dora_cluster\/commits_local', '\{replica\}', ingested_at\) ORDER BY \(repo, sha\)$/,
    );
    expect(distributed).toEqual(
      'CREATE TABLE IF NOT EXISTS commits ON CLUSTER dora_test AS commits_local ENGINE = Distributed(dora_test, dora_cluster, commits_local, cityHash64(repo, sha))',
    );
  });

  it('rewrites every existing migration, and only into cluster-wide statements', () => {
    const all = migrations.flatMap((migration) => migration.statements.flatMap((statement) => clusterStatements(statement, cluster)));
    for (const statement of all) expect(statement).toContain('ON CLUSTER dora_test');
    const engines = all.flatMap((statement) => [...statement.matchAll(/ENGINE = (\w+)/g)].map((match) => match[1]));
    // Every engine is replicated or distributed: no table is left on one node.
    expect(engines.filter((engine) => !/^Replicated\w*MergeTree$|^Distributed$/.test(engine!))).toEqual([]);
    // alert_claims is a plain MergeTree: replicated without a version column.
    const claims = migrations[3]!.statements.find((statement) => statement.includes('alert_claims'))!;
    expect(clusterStatements(claims, cluster)[0]).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/dora_cluster/alert_claims_local', '{replica}') ORDER BY (key, channel, attempt)");
    // An ALTER changes the local table first, then the Distributed one.
    expect(clusterStatements('ALTER TABLE derived_incidents ADD COLUMN IF NOT EXISTS x String', cluster)).toEqual([
      'ALTER TABLE derived_incidents_local ON CLUSTER dora_test ADD COLUMN IF NOT EXISTS x String',
      'ALTER TABLE derived_incidents ON CLUSTER dora_test ADD COLUMN IF NOT EXISTS x String',
    ]);
  });

  it('refuses a statement it does not know, and names that are not identifiers', () => {
    expect(() => clusterStatements('INSERT INTO commits VALUES (1)', cluster)).toThrow(/cannot run this statement on a cluster/);
    expect(() => clusterStatements(migrations[0]!.statements[0]!, { ...cluster, name: 'x; DROP' })).toThrow(/invalid cluster name/);
  });

  it('takes the cluster from flag, then env, then config; refuses it on the embedded engine (a configuration error, exit 2)', async () => {
    const config = Config.parse({ store: { cluster: 'from_config' } });
    expect(storeOptions(config, {}, {}).cluster).toEqual('from_config');
    expect(storeOptions(config, {}, { DORA_CLICKHOUSE_CLUSTER: 'from_env' }).cluster).toEqual('from_env');
    expect(storeOptions(config, { clickhouseCluster: 'from_flag' }, { DORA_CLICKHOUSE_CLUSTER: 'from_env' }).cluster).toEqual('from_flag');
    await expect(openStore({ home: '/nonexistent', cluster: 'c' })).rejects.toThrow(ConfigError);
    await expect(openStore({ home: '/nonexistent', cluster: 'c' })).rejects.toThrow(/needs a ClickHouse server/);
    await expect(openStore({ home: '/nonexistent', cluster: 'c' })).rejects.toMatchObject({ exitCode: 2 });
  });
});

/** What the test cannot run without Keeper is taken out; everything else goes through as generated. */
function withoutKeeper(query: string): string {
  return query
    .replaceAll(` ON CLUSTER ${cluster.name}`, '')
    .replace(/ENGINE = Replicated(\w*MergeTree)\('[^']*', '\{replica\}'(?:, ([^)]*))?\)/, (_, engine: string, args?: string) => `ENGINE = ${engine}${args ? `(${args})` : ''}`);
}

/** The store's client as a cluster node sees it: the cluster settings on every call. */
function clusterClient(client: ClickHouseClient): ClickHouseClient {
  const withSettings = <T extends { clickhouse_settings?: ClickHouseSettings }>(params: T): T => ({
    ...params,
    clickhouse_settings: { ...clusterSettings, ...params.clickhouse_settings },
  });
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'command') {
        return (params: Parameters<ClickHouseClient['command']>[0]) => target.command(withSettings({ ...params, query: withoutKeeper(params.query) }));
      }
      if (property === 'query') return (params: Parameters<ClickHouseClient['query']>[0]) => target.query(withSettings(params));
      if (property === 'insert') return (params: Parameters<ClickHouseClient['insert']>[0]) => target.insert(withSettings(params));
      return Reflect.get(target, property, receiver);
    },
  });
  markEmbedded(wrapped);
  return wrapped;
}

const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 0, day, hour)).toISOString();
const sha = (n: number) => n.toString(16).padStart(40, '0');
// One service: commits c1..c6 a day apart (c_n authored on 2026-01-0n 00:00), deployments of c2 (the
// baseline), c4 and c6 at noon two days apart, and an incident an hour after the second deployment.
const events = [
  ...[1, 2, 3, 4, 5, 6].map((n) => ({ kind: 'commit', repo: 'acme/api', sha: sha(n), parents: n > 1 ? [sha(n - 1)] : [], authored_at: at(n) })),
  ...[2, 4, 6].map((n) => ({ kind: 'deployment', id: `d${n}`, service: 'api', environment: 'production', status: 'success', repo: 'acme/api', sha: sha(n), finished_at: at(n, 12) })),
  { kind: 'incident', id: 'i1', service: 'api', opened_at: at(4, 13), resolved_at: at(4, 14) },
];
const ndjson = events.map((event) => JSON.stringify(event)).join('\n');

describe('the agent on a one-shard cluster (embedded engine, Distributed tables)', () => {
  const tmp = tempDir('dora-cluster-');
  let store: Store;
  let client: ClickHouseClient;
  const cwd = process.cwd();

  beforeAll(async () => {
    // The engine reads config.xml from its working directory when it starts: a cluster of one shard on
    // this process (tcp_port makes localhost:9000 "local", so the Distributed engine never dials out).
    writeFileSync(
      join(tmp.dir, 'config.xml'),
      `<clickhouse><tcp_port>9000</tcp_port><remote_servers><${cluster.name}><shard><replica><host>localhost</host><port>9000</port></replica></shard></${cluster.name}></remote_servers></clickhouse>`,
    );
    process.chdir(tmp.dir);
    store = await openStore({ home: join(tmp.dir, 'store') });
    process.chdir(cwd);
    await store.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${cluster.database}` });
    await store.client.command({ query: `USE ${cluster.database}` });
    client = clusterClient(store.client);
    await migrate(client, { cluster });
    // Two imports of the same file at once, then a third: one copy of each object survives.
    await Promise.all([importEvents(client, Readable.from([ndjson]), { scope: 'a' }), importEvents(client, Readable.from([ndjson]), { scope: 'b' })]);
    await importEvents(client, Readable.from([ndjson]), { scope: 'c' });
  });
  afterAll(async () => {
    process.chdir(cwd);
    await store?.close();
    tmp.remove();
  });

  it('names Distributed tables over local MergeTree tables', async () => {
    const rows = await queryRows<{ name: string; engine: string }>(
      client,
      `SELECT name, engine FROM system.tables WHERE database = {db:String} AND name IN ('commits', 'commits_local', 'derived_state', 'current_changes') ORDER BY name`,
      { db: cluster.database },
    );
    expect(rows).toEqual([
      { name: 'commits', engine: 'Distributed' },
      { name: 'commits_local', engine: 'ReplacingMergeTree' },
      { name: 'current_changes', engine: 'View' },
      { name: 'derived_state', engine: 'Distributed' },
    ]);
  });

  it('keeps one copy of each object through the Distributed tables after three imports', async () => {
    const [counts] = await queryRows<Record<string, number>>(
      client,
      `SELECT (SELECT count() FROM commits FINAL) AS commits, (SELECT count() FROM deployments FINAL) AS deployments,
              (SELECT count() FROM incidents FINAL) AS incidents, (SELECT count() FROM commits_local) AS raw_commits`,
    );
    // 6 commits, 3 deployments, 1 incident; the local table holds every written copy (3 imports × 6) until merged.
    expect(counts).toEqual({ commits: 6, deployments: 3, incidents: 1, raw_commits: 18 });
  });

  it('derives and reports through the Distributed tables and views', async () => {
    const config = Config.parse({});
    const report = await buildReport(client, { since: new Date(at(1)), until: new Date(at(8)), config });
    const overall = report.overall;
    expect(overall.deployment_frequency.deployments).toEqual(3);
    // d4 ships c3 and c4, d6 ships c5 and c6 (d2 is the baseline): leads 36 h, 12 h, 36 h, 12 h;
    // median of [43200, 43200, 129600, 129600] = (43200 + 129600) / 2 = 86400 s.
    expect([overall.lead_time.changes, overall.lead_time.median_seconds]).toEqual([4, 86_400]);
    // The incident opened 1 h after d4 (within 24 h): d4 failed, 1 of 3; restored in 3600 s;
    // recovered by d6, 2 days later: 172,800 s.
    expect([overall.change_failure_rate.failed, overall.change_failure_rate.deployments]).toEqual([1, 3]);
    expect(overall.time_to_restore.median_seconds).toEqual(3600);
    expect(overall.recovery_time.median_seconds).toEqual(172_800);
  });
});
