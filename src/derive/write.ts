import type { ClickHouseClient } from '@clickhouse/client';
import { insertRows } from '../store/insert.js';
import type { DerivedChangeRow, DerivedCommitRow, DerivedDeploymentRow, DerivedIncidentRow } from './types.js';

/** A service's rows of one derivation (all of them, or an append's new and changed ones). */
export interface DerivedRows {
  deployments: DerivedDeploymentRow[];
  changes: DerivedChangeRow[];
  incidents: DerivedIncidentRow[];
  commits: DerivedCommitRow[];
}

export const derivedTables = {
  deployments: 'derived_deployments',
  changes: 'derived_changes',
  incidents: 'derived_incidents',
  commits: 'derived_commits',
  state: 'derived_state',
} as const;

/** What readers use: the latest complete derivation of every service (views over the tables above). */
export const currentViews = {
  deployments: 'current_deployments',
  changes: 'current_changes',
  incidents: 'current_incidents',
} as const;

export interface StateRow {
  service: string;
  fingerprint: string;
  /** The fingerprint's inputs (JSON), so the next run can tell an append from any other change. */
  inputs: string;
  /** The runs whose rows make up the service's current derivation: its last full one, then appends. */
  runs: number[];
  derived_at: string;
  deployments: number;
  changes: number;
  incidents: number;
}

type Row = Record<string, unknown>;

/**
 * After a large derivation on the embedded engine, merge the tables reports read now. A new
 * derivation leaves the versions it replaced until the engine merges them, and the embedded
 * engine merges only while a `dora` process runs: a short command would leave the next report
 * to read, and `FINAL` to fold, every old version (at 5,000 services a full derivation doubles
 * the rows: the report took 3.2 s instead of 2.3 s). A server merges in the background.
 */
export async function settleDerivedTables(client: ClickHouseClient): Promise<void> {
  for (const table of [derivedTables.deployments, derivedTables.changes, derivedTables.incidents, derivedTables.state]) {
    await client.command({ query: `OPTIMIZE TABLE ${table} FINAL` });
  }
}

/** Through the store's one insert path (a file the embedded engine reads; immune to a piped stdin). */
async function insertTagged(client: ClickHouseClient, table: string, rows: readonly Row[], tag: { scope: string; run: number }): Promise<void> {
  if (rows.length === 0) return;
  await insertRows(client, table, rows.map((row) => ({ ...row, scope: tag.scope, run: tag.run })));
}

/**
 * Writes derived rows in bounded batches. A service's state row (which makes its new
 * run current) is written only after all of its rows are in: readers see either the
 * previous derivation or the new one, never half of one. Re-running writes the same
 * keys again (ReplacingMergeTree keeps the newest run).
 */
export class DerivedWriter {
  private pending = this.empty();
  private buffered = 0;
  /** Rows written so far (state rows aside). */
  written = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: ClickHouseClient,
    private readonly scope: string,
    private readonly run: number,
    private readonly batchSize = 20_000,
  ) {}

  private empty() {
    return { deployments: [] as Row[], changes: [] as Row[], incidents: [] as Row[], commits: [] as Row[], states: [] as Row[] };
  }

  async addService(rows: DerivedRows, state: StateRow): Promise<void> {
    this.pending.deployments.push(...(rows.deployments as unknown as Row[]));
    this.pending.changes.push(...(rows.changes as unknown as Row[]));
    this.pending.incidents.push(...(rows.incidents as unknown as Row[]));
    // A baseline's history can be a whole repository: pushed one by one, not spread into arguments.
    for (const row of rows.commits) this.pending.commits.push(row as unknown as Row);
    this.pending.states.push(state as unknown as Row);
    const count = rows.deployments.length + rows.changes.length + rows.incidents.length + rows.commits.length;
    this.buffered += count;
    this.written += count;
    if (this.buffered >= this.batchSize) await this.flush();
  }

  /** Writes are chained, so a state row never lands before the rows it vouches for. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = this.empty();
    this.buffered = 0;
    const tag = { scope: this.scope, run: this.run };
    this.writing = this.writing.then(async () => {
      for (const [table, rows] of [
        [derivedTables.deployments, batch.deployments],
        [derivedTables.changes, batch.changes],
        [derivedTables.incidents, batch.incidents],
        [derivedTables.commits, batch.commits],
      ] as const) {
        for (let start = 0; start < rows.length; start += this.batchSize) {
          await insertTagged(this.client, table, rows.slice(start, start + this.batchSize), tag);
        }
      }
      await insertTagged(this.client, derivedTables.state, batch.states, tag);
    });
    return this.writing;
  }
}
