import type { ClickHouseClient } from '@clickhouse/client';
import { insertRows } from '../store/insert.js';
import type { DerivedChangeRow, DerivedDeploymentRow, DerivedIncidentRow } from './types.js';

export const derivedTables = {
  deployments: 'derived_deployments',
  changes: 'derived_changes',
  incidents: 'derived_incidents',
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
  derived_at: string;
  deployments: number;
  changes: number;
  incidents: number;
}

/**
 * Writes derived rows in bounded batches. A service's state row (which makes its new
 * run current) is written only after all of its rows are in: readers see either the
 * previous derivation or the new one, never half of one. Re-running writes the same
 * keys again (ReplacingMergeTree keeps the newest run).
 */
export class DerivedWriter {
  private deployments: object[] = [];
  private changes: object[] = [];
  private incidents: object[] = [];
  private states: object[] = [];
  private buffered = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly scope: string,
    private readonly run: number,
    private readonly batchSize = 20_000,
  ) {}

  async addService(
    rows: { deployments: DerivedDeploymentRow[]; changes: DerivedChangeRow[]; incidents: DerivedIncidentRow[] },
    state: StateRow,
  ): Promise<void> {
    const tag = { scope: this.scope, run: this.run };
    for (const row of rows.deployments) this.deployments.push({ ...row, ...tag });
    for (const row of rows.changes) this.changes.push({ ...row, ...tag });
    for (const row of rows.incidents) this.incidents.push({ ...row, ...tag });
    this.states.push({ ...state, ...tag });
    this.buffered += rows.deployments.length + rows.changes.length + rows.incidents.length;
    if (this.buffered >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    for (const [table, batch] of [
      [derivedTables.deployments, this.deployments],
      [derivedTables.changes, this.changes],
      [derivedTables.incidents, this.incidents],
    ] as const) {
      for (let start = 0; start < batch.length; start += this.batchSize) {
        await insertRows(this.client, table, batch.slice(start, start + this.batchSize));
      }
    }
    await insertRows(this.client, derivedTables.state, this.states);
    this.deployments = [];
    this.changes = [];
    this.incidents = [];
    this.states = [];
    this.buffered = 0;
  }
}
