import type { ClickHouseSettings } from '@clickhouse/client';

/**
 * The same schema on a ClickHouse cluster (DESIGN.md §2): configuration, not new code.
 * The migrations in schema.ts are written for one node; `clusterStatements` rewrites each
 * of them for a cluster, so single-node users run them unchanged:
 *
 * - `CREATE TABLE t (...) ENGINE = ReplacingMergeTree(v) ORDER BY key` becomes a local table
 *   `t_local ON CLUSTER c` with `ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/t_local',
 *   '{replica}', v)`, and `t ON CLUSTER c` as `Distributed(c, db, t_local, cityHash64(key))`.
 *   Every query keeps naming `t`. Rows are sharded by their natural id (the ORDER BY key), so every
 *   copy of an object lands on one shard and ReplacingMergeTree folds them there: agents
 *   collecting into any node converge, and FINAL on the Distributed table is exact.
 * - `ALTER TABLE t ...` alters `t_local` and `t` on every node; views are created `ON CLUSTER`
 *   (they read the Distributed tables).
 *
 * `{shard}` and `{replica}` are the server's macros (each node's `<macros>` config).
 * https://clickhouse.com/docs/engines/table-engines/mergetree-family/replication
 * https://clickhouse.com/docs/engines/table-engines/special/distributed
 */

export interface ClusterOptions {
  /** The cluster's name in the servers' `remote_servers` config. */
  name: string;
  /** The database the tables live in, on every node. */
  database: string;
}

/** The suffix of the per-node tables behind each Distributed table. */
export const localSuffix = '_local';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Check a cluster or database name before it goes into DDL (identifiers cannot be query parameters). */
export function checkIdentifier(value: string, what: string): string {
  if (!identifier.test(value)) throw new Error(`invalid ${what} ${JSON.stringify(value)}: expected letters, digits and underscores`);
  return value;
}

/**
 * Settings for every query on a cluster. Reads join and filter Distributed tables by other
 * Distributed tables (the current_* views, derive's fingerprints): `global` sends the inner side
 * once to every shard instead of refusing (the default, `deny`). Inserts wait until the rows are on
 * their shards, so the derive that follows a collection sees them.
 * https://clickhouse.com/docs/operations/settings/settings#distributed_product_mode
 */
export const clusterSettings: ClickHouseSettings = {
  distributed_product_mode: 'global',
  insert_distributed_sync: 1,
};

const createTable =
  /^\s*CREATE TABLE IF NOT EXISTS (\w+)\s*(\([\s\S]*\))\s*ENGINE = (\w*MergeTree)(?:\(([^)]*)\))?\s+ORDER BY (\([^)]*\)|\w+)([\s\S]*)$/;
const alterTable = /^\s*ALTER TABLE (\w+) ([\s\S]*)$/;
const createView = /^\s*(CREATE (?:OR REPLACE )?VIEW(?: IF NOT EXISTS)?) (\w+) (AS[\s\S]*)$/;
const createDatabase = /^\s*CREATE DATABASE IF NOT EXISTS (\w+)\s*$/;

/** The statements that do on a cluster what `statement` does on one node. */
export function clusterStatements(statement: string, cluster: ClusterOptions): string[] {
  const name = checkIdentifier(cluster.name, 'cluster name');
  const database = checkIdentifier(cluster.database, 'database name');
  const on = `ON CLUSTER ${name}`;

  const table = createTable.exec(statement);
  if (table) {
    const [, tableName, columns, engine, engineArgs, orderBy, rest] = table as unknown as string[];
    const local = `${tableName}${localSuffix}`;
    const path = `'/clickhouse/tables/{shard}/${database}/${local}'`;
    const args = [path, `'{replica}'`, ...(engineArgs?.trim() ? [engineArgs.trim()] : [])].join(', ');
    const key = (orderBy as string).replace(/^\(|\)$/g, '');
    return [
      `CREATE TABLE IF NOT EXISTS ${local} ${on} ${columns} ENGINE = Replicated${engine}(${args}) ORDER BY ${orderBy}${rest}`,
      `CREATE TABLE IF NOT EXISTS ${tableName} ${on} AS ${local} ENGINE = Distributed(${name}, ${database}, ${local}, cityHash64(${key}))`,
    ];
  }
  const alter = alterTable.exec(statement);
  if (alter) {
    const [, tableName, change] = alter as unknown as string[];
    // The local table first: the Distributed table only mirrors its columns.
    return [`ALTER TABLE ${tableName}${localSuffix} ${on} ${change}`, `ALTER TABLE ${tableName} ${on} ${change}`];
  }
  const view = createView.exec(statement);
  if (view) {
    const [, create, viewName, body] = view as unknown as string[];
    return [`${create} ${viewName} ${on} ${body}`];
  }
  const db = createDatabase.exec(statement);
  if (db) return [`CREATE DATABASE IF NOT EXISTS ${db[1]} ${on}`];
  // A migration shape this builder does not know must fail loudly, not run on one node only.
  throw new Error(`cannot run this statement on a cluster (unknown shape): ${statement.trim().slice(0, 80)}`);
}
