import type { ClickHouseClient } from '@clickhouse/client';
import { nowIso, toClickHouseTime } from '../events/time.js';
import { clusterStatements, type ClusterOptions } from './cluster.js';
import { insertRows } from './insert.js';

/**
 * The one module that owns the schema. Migrations are numbered, applied in order
 * on start, recorded in `schema_migrations`, and each is idempotent (IF NOT EXISTS),
 * so two agents starting at once converge.
 *
 * Every table is a ReplacingMergeTree keyed by the source's natural id with the
 * ingestion time as version: re-collecting the same history converges to one row,
 * and the newest observation of an object (a deployment that went from in_progress
 * to success) wins. Reads use FINAL.
 */

export const tables = {
  commits: 'commits',
  pullRequests: 'pull_requests',
  deployments: 'deployments',
  incidents: 'incidents',
  cursors: 'collector_cursors',
  runs: 'ingest_runs',
  migrations: 'schema_migrations',
} as const;

const time = "DateTime64(3, 'UTC')";
const optionalTime = `Nullable(${time})`;

/**
 * A `current_*` view (owned by src/derive): the newest row of each key of `derived_<name>`, when
 * its run is one of those in force for its scope and service (`inForce`, an expression over
 * `derived_state`). A view's `*` is expanded when it is created, so adding a column recreates it.
 */
const currentView = (create: string, name: string, inForce: string, match: 'tuple' | 'hash' = 'tuple') => {
  // A row is matched on the tuple itself or (migration 10) on its 64-bit hash.
  const key = (run: string) => (match === 'tuple' ? `scope, service, ${run}` : `cityHash64(scope, service, ${run})`);
  return `${create} current_${name} AS
        SELECT * FROM derived_${name} FINAL
        WHERE ${match === 'tuple' ? `(${key('run')})` : key('run')} IN (SELECT ${key(inForce)} FROM derived_state FINAL)`;
};

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'canonical event tables, cursors and runs',
    statements: [
      `CREATE TABLE IF NOT EXISTS ${tables.commits} (
        repo LowCardinality(String),
        sha String,
        parents Array(String),
        author String,
        authored_at ${time},
        committed_at ${optionalTime},
        message String,
        source LowCardinality(String),
        extra Map(String, String),
        ingested_at ${time}
      ) ENGINE = ReplacingMergeTree(ingested_at) ORDER BY (repo, sha)`,
      `CREATE TABLE IF NOT EXISTS ${tables.pullRequests} (
        repo LowCardinality(String),
        number UInt64,
        title String,
        author String,
        created_at ${time},
        first_review_at ${optionalTime},
        merged_at ${optionalTime},
        merge_sha String,
        base String,
        commits Array(String),
        labels Array(String),
        source LowCardinality(String),
        extra Map(String, String),
        ingested_at ${time}
      ) ENGINE = ReplacingMergeTree(ingested_at) ORDER BY (repo, number)`,
      `CREATE TABLE IF NOT EXISTS ${tables.deployments} (
        id String,
        service LowCardinality(String),
        environment LowCardinality(String),
        status LowCardinality(String),
        finished_at ${time},
        started_at ${optionalTime},
        source LowCardinality(String),
        repo String,
        sha String,
        version String,
        rollback_of String,
        url String,
        extra Map(String, String),
        ingested_at ${time}
      ) ENGINE = ReplacingMergeTree(ingested_at) ORDER BY id`,
      `CREATE TABLE IF NOT EXISTS ${tables.incidents} (
        id String,
        service LowCardinality(String),
        opened_at ${time},
        resolved_at ${optionalTime},
        title String,
        severity LowCardinality(String),
        source LowCardinality(String),
        deployment String,
        url String,
        extra Map(String, String),
        ingested_at ${time}
      ) ENGINE = ReplacingMergeTree(ingested_at) ORDER BY id`,
      `CREATE TABLE IF NOT EXISTS ${tables.cursors} (
        source LowCardinality(String),
        scope String,
        cursor String,
        updated_at ${time}
      ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY (source, scope)`,
      `CREATE TABLE IF NOT EXISTS ${tables.runs} (
        run_id String,
        source LowCardinality(String),
        scope String,
        started_at ${time},
        finished_at ${time},
        status LowCardinality(String),
        accepted UInt64,
        rejected UInt64,
        message String
      ) ENGINE = ReplacingMergeTree(finished_at) ORDER BY (source, run_id)`,
    ],
  },
  {
    // Owned by src/derive (issue 3): what each production deployment shipped, failed and recovered,
    // one row per change and per incident, each saying why. `scope` names the production environments
    // the derivation used; `run` versions a service's rows and derived_state names the current run,
    // so the current_* views show exactly the latest complete derivation of every service.
    version: 2,
    name: 'derived deployments, changes and incidents',
    statements: [
      `CREATE TABLE IF NOT EXISTS derived_deployments (
        scope LowCardinality(String),
        service LowCardinality(String),
        id String,
        finished_at ${time},
        environment LowCardinality(String),
        source LowCardinality(String),
        version String,
        url String,
        repo String,
        sha String,
        commit_sha String,
        commit_status LowCardinality(String),
        baseline UInt8,
        commits UInt32,
        changes UInt32,
        failed UInt8,
        failure_reasons Array(String),
        incidents Array(String),
        rolled_back_by String,
        rollback_method LowCardinality(String),
        rollback_of String,
        is_rollback UInt8,
        reverted_by Array(String),
        rework UInt8,
        rework_reason String,
        recovered_at ${optionalTime},
        recovered_by String,
        recovery_seconds Nullable(Float64),
        run UInt64
      ) ENGINE = ReplacingMergeTree(run) ORDER BY (scope, service, id)`,
      `CREATE TABLE IF NOT EXISTS derived_changes (
        scope LowCardinality(String),
        service LowCardinality(String),
        change_key String,
        kind LowCardinality(String),
        repo String,
        pr_number UInt64,
        title String,
        commits UInt32,
        start_at ${time},
        start_source LowCardinality(String),
        pr_created_at ${optionalTime},
        first_review_at ${optionalTime},
        merged_at ${optionalTime},
        deployment_id String,
        deployed_at ${time},
        lead_seconds Float64,
        coding_seconds Nullable(Float64),
        pickup_seconds Nullable(Float64),
        review_seconds Nullable(Float64),
        deploy_seconds Nullable(Float64),
        clamped_stages Array(String),
        run UInt64
      ) ENGINE = ReplacingMergeTree(run) ORDER BY (scope, service, change_key)`,
      `CREATE TABLE IF NOT EXISTS derived_incidents (
        scope LowCardinality(String),
        service LowCardinality(String),
        id String,
        opened_at ${time},
        resolved_at ${optionalTime},
        title String,
        severity LowCardinality(String),
        status LowCardinality(String),
        restore_seconds Nullable(Float64),
        deployment_id String,
        deployment_service String,
        link_method LowCardinality(String),
        link_reason String,
        run UInt64
      ) ENGINE = ReplacingMergeTree(run) ORDER BY (scope, service, id)`,
      `CREATE TABLE IF NOT EXISTS derived_state (
        scope LowCardinality(String),
        service LowCardinality(String),
        fingerprint String,
        run UInt64,
        derived_at ${time},
        deployments UInt32,
        changes UInt32,
        incidents UInt32
      ) ENGINE = ReplacingMergeTree(run) ORDER BY (scope, service)`,
      ...['deployments', 'changes', 'incidents'].map(
        (name) => currentView('CREATE VIEW IF NOT EXISTS', name, 'run'),
      ),
    ],
  },
  {
    // Why a deployment's commit could not be placed in the graph (issue 3), for `report --explain`.
    version: 3,
    name: 'derived deployments: commit note',
    statements: [
      'ALTER TABLE derived_deployments ADD COLUMN IF NOT EXISTS commit_note String AFTER commit_status',
      // A view's `*` is expanded when it is created: recreate it to show the new column.
      currentView('CREATE OR REPLACE VIEW', 'deployments', 'run'),
    ],
  },
  {
    // Owned by src/health and src/alerts (issue 8). release_verdicts: the latest verdict of each
    // production release, with its reasons and rollback target. alert_claims: who sends an alert
    // (every claim is kept; the earliest wins, so concurrent agents agree without a lock).
    // alert_deliveries: what was sent or failed, per channel and attempt (the dedup record).
    version: 4,
    name: 'release verdicts and alert deliveries',
    statements: [
      `CREATE TABLE IF NOT EXISTS release_verdicts (
        scope LowCardinality(String),
        service LowCardinality(String),
        release_id String,
        finished_at ${time},
        environment LowCardinality(String),
        version String,
        sha String,
        url String,
        verdict LowCardinality(String),
        confidence Float64,
        reasons Array(String),
        signals String,
        telemetry String,
        window_end ${time},
        window_complete UInt8,
        state LowCardinality(String),
        replaced_by String,
        rollback_to String,
        rollback_to_version String,
        rollback_to_sha String,
        rollback_command String,
        evaluated_at ${time}
      ) ENGINE = ReplacingMergeTree(evaluated_at) ORDER BY (scope, service, release_id)`,
      `CREATE TABLE IF NOT EXISTS alert_claims (
        key String,
        channel LowCardinality(String),
        attempt UInt32,
        agent String,
        claimed_at DateTime64(6, 'UTC')
      ) ENGINE = MergeTree ORDER BY (key, channel, attempt)`,
      `CREATE TABLE IF NOT EXISTS alert_deliveries (
        key String,
        channel LowCardinality(String),
        attempt UInt32,
        release_id String,
        service LowCardinality(String),
        verdict LowCardinality(String),
        kind LowCardinality(String),
        state LowCardinality(String),
        status LowCardinality(String),
        detail String,
        agent String,
        at ${time}
      ) ENGINE = ReplacingMergeTree(at) ORDER BY (key, channel, attempt)`,
    ],
  },
  {
    // Owned by issue 7 (incident links). incident_link_overrides: `dora link` / `dora unlink`, one row
    // per decision, the latest per incident wins (`reset` hands it back to automatic linking); kept
    // apart from the incidents table so a later collection never undoes it. link_confidence: how sure
    // derive is of each incident's link (1 for a manual or named link, lower for inferred ones).
    version: 5,
    name: 'incident link overrides and link confidence',
    statements: [
      `CREATE TABLE IF NOT EXISTS incident_link_overrides (
        incident String,
        action LowCardinality(String),
        deployment String,
        note String,
        author String,
        at ${time}
      ) ENGINE = ReplacingMergeTree(at) ORDER BY incident`,
      'ALTER TABLE derived_incidents ADD COLUMN IF NOT EXISTS link_confidence Float64 AFTER link_method',
      currentView('CREATE OR REPLACE VIEW', 'incidents', 'run'),
    ],
  },
  {
    // Owned by src/dashboards (issue 10). service_teams: the service catalog's owners as the agent
    // last wrote them (every service of one write shares its `run`; the view shows the latest write,
    // so a service dropped from the catalog drops out). current_deploy_failures: failed production
    // attempts (status failure) per derive scope, the deploy failures of `dora report`.
    version: 6,
    name: 'service teams and deploy failures for dashboards',
    statements: [
      `CREATE TABLE IF NOT EXISTS service_teams (
        service LowCardinality(String),
        team LowCardinality(String),
        run UInt64,
        written_at ${time}
      ) ENGINE = ReplacingMergeTree(run) ORDER BY service`,
      `CREATE VIEW IF NOT EXISTS current_service_teams AS
        SELECT service, team FROM service_teams FINAL WHERE run = (SELECT max(run) FROM service_teams)`,
      `CREATE VIEW IF NOT EXISTS current_deploy_failures AS
        SELECT scopes.scope AS scope, failures.id AS id, failures.service AS service, failures.environment AS environment,
               failures.finished_at AS finished_at, failures.source AS source, failures.sha AS sha, failures.version AS version,
               failures.url AS url
        FROM (SELECT id, service, environment, finished_at, source, sha, version, url FROM deployments FINAL WHERE status = 'failure') AS failures
        CROSS JOIN (SELECT DISTINCT scope FROM derived_state FINAL) AS scopes
        WHERE has(splitByChar(',', scopes.scope), lower(failures.environment))`,
    ],
  },
  {
    // Owned by src/digest (issue 9): each weekly digest is sent once per channel, across runs,
    // restarts and `dora agent --once` from cron; the newest row of a (period, channel) says.
    version: 7,
    name: 'digest deliveries',
    statements: [
      `CREATE TABLE IF NOT EXISTS digest_deliveries (
        period String,
        channel LowCardinality(String),
        status LowCardinality(String),
        detail String,
        agent String,
        at ${time}
      ) ENGINE = ReplacingMergeTree(at) ORDER BY (period, channel)`,
    ],
  },
  {
    // Owned by src/derive (issue 11): incremental derivation within a service. derived_commits: every
    // commit a production deployment first shipped (a baseline's history included), so a new deployment
    // walks only the commits no earlier deployment shipped. derived_state.runs: the runs whose rows make
    // up a service's current derivation (its last full one, then each append since); inputs: what its
    // fingerprint was made of, so derive can tell an append from any other change.
    version: 8,
    name: 'incremental derivation: shipped commits and appended runs',
    statements: [
      `CREATE TABLE IF NOT EXISTS derived_commits (
        scope LowCardinality(String),
        service LowCardinality(String),
        repo String,
        sha String,
        deployment_id String,
        run UInt64
      ) ENGINE = ReplacingMergeTree(run) ORDER BY (scope, service, repo, sha)`,
      'ALTER TABLE derived_state ADD COLUMN IF NOT EXISTS runs Array(UInt64) AFTER run',
      'ALTER TABLE derived_state ADD COLUMN IF NOT EXISTS inputs String AFTER fingerprint',
      ...['deployments', 'changes', 'incidents'].map(
        (name) => currentView('CREATE OR REPLACE VIEW', name, 'arrayJoin(if(empty(runs), [run], runs))'),
      ),
    ],
  },
  {
    // Owned by src/derive (issue 11): what the store looked like when derivation last checked every
    // service of a scope (row counts and latest ingestion per input table, and the settings), so a
    // report over thousands of services skips the per-service check when nothing arrived since.
    version: 9,
    name: 'derive stamps',
    statements: [
      `CREATE TABLE IF NOT EXISTS derive_stamps (
        scope LowCardinality(String),
        stamp String,
        at ${time}
      ) ENGINE = ReplacingMergeTree(at) ORDER BY scope`,
    ],
  },
  {
    // Owned by src/derive (issue 11): the same rows in force, matched on a 64-bit hash of (scope,
    // service, run) instead of the tuple. A set of tuples with two LowCardinality strings costs
    // ~95 ms per 2M rows scanned, its hash ~45 ms, and a report scans the views four times. Two
    // different keys sharing a hash is a 1-in-10^9 chance at 10^5 keys in force against 10^5 written.
    version: 10,
    name: 'current views: in-force runs matched by hash',
    statements: ['deployments', 'changes', 'incidents'].map((name) =>
      currentView('CREATE OR REPLACE VIEW', name, 'arrayJoin(if(empty(runs), [run], runs))', 'hash'),
    ),
  },
];

export const latestSchemaVersion = Math.max(...migrations.map((migration) => migration.version));

/**
 * Apply every migration not yet recorded; returns the versions applied now. With `cluster`,
 * each statement is rewritten for the cluster (cluster.ts): the migrations stay single-node DDL.
 */
export async function migrate(client: ClickHouseClient, options: { cluster?: ClusterOptions } = {}): Promise<number[]> {
  const run = async (statement: string) => {
    const statements = options.cluster ? clusterStatements(statement, options.cluster) : [statement];
    for (const query of statements) await client.command({ query });
  };
  await run(`CREATE TABLE IF NOT EXISTS ${tables.migrations} (
      version UInt32, name String, applied_at ${time}
    ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`);
  const result = await client.query({ query: `SELECT version FROM ${tables.migrations} FINAL`, format: 'JSONEachRow' });
  const applied = new Set((await result.json<{ version: number }>()).map((row) => Number(row.version)));
  const appliedNow: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) await run(statement);
    await insertRows(client, tables.migrations, [
      { version: migration.version, name: migration.name, applied_at: toClickHouseTime(nowIso()) },
    ]);
    appliedNow.push(migration.version);
  }
  return appliedNow;
}
