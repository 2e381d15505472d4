import type { ClickHouseClient } from '@clickhouse/client';
import type { CanonicalEvent, EventKind } from '../events/schemas.js';
import { nowIso, toClickHouseTime } from '../events/time.js';
import { insertRows } from './insert.js';
import { tables } from './schema.js';

/**
 * The one module that writes. Rows are inserted in bounded batches (through the
 * embedded engine an insert buffers its whole body), and every write is idempotent:
 * tables are ReplacingMergeTree on the natural id, so writing the same events again
 * converges to the same rows.
 */

type Row = Record<string, unknown>;

const tableOf: Record<EventKind, string> = {
  commit: tables.commits,
  pull_request: tables.pullRequests,
  deployment: tables.deployments,
  incident: tables.incidents,
};

const time = (value: string | undefined) => (value === undefined ? null : toClickHouseTime(value));

/** Map a canonical event to its row. `source` names where it came from when the event does not say. */
export function toRow(event: CanonicalEvent, source: string, ingestedAt: string): Row {
  const ingested_at = toClickHouseTime(ingestedAt);
  switch (event.kind) {
    case 'commit':
      return {
        repo: event.repo,
        sha: event.sha,
        parents: event.parents,
        author: event.author ?? '',
        authored_at: time(event.authored_at),
        committed_at: time(event.committed_at),
        message: event.message ?? '',
        source,
        extra: event.extra,
        ingested_at,
      };
    case 'pull_request':
      return {
        repo: event.repo,
        number: event.number,
        title: event.title ?? '',
        author: event.author ?? '',
        created_at: time(event.created_at),
        first_review_at: time(event.first_review_at),
        merged_at: time(event.merged_at),
        merge_sha: event.merge_sha ?? '',
        base: event.base ?? '',
        commits: event.commits,
        labels: event.labels,
        source,
        extra: event.extra,
        ingested_at,
      };
    case 'deployment':
      return {
        id: event.id,
        service: event.service,
        environment: event.environment,
        status: event.status,
        finished_at: time(event.finished_at),
        started_at: time(event.started_at),
        source: event.source ?? source,
        repo: event.repo ?? '',
        sha: event.sha ?? '',
        version: event.version ?? '',
        rollback_of: event.rollback_of ?? '',
        url: event.url ?? '',
        extra: event.extra,
        ingested_at,
      };
    case 'incident':
      return {
        id: event.id,
        service: event.service,
        opened_at: time(event.opened_at),
        resolved_at: time(event.resolved_at),
        title: event.title ?? '',
        severity: event.severity ?? '',
        source: event.source ?? source,
        deployment: event.deployment ?? '',
        url: event.url ?? '',
        extra: event.extra,
        ingested_at,
      };
  }
}

export type KindCounts = Record<EventKind, number>;
export const emptyCounts = (): KindCounts => ({ commit: 0, pull_request: 0, deployment: 0, incident: 0 });

export interface EventWriterOptions {
  /** Where events came from when they do not say (`import`, `record`, a collector id). */
  source: string;
  /** Rows buffered before an insert. Default 20,000: flat memory, few inserts. */
  batchSize?: number;
  clock?: () => number;
}

/** Buffers events per table and inserts them in bounded batches. */
export class EventWriter {
  private readonly buffers = new Map<string, Row[]>();
  private buffered = 0;
  /** One ingestion time (the row version) per batch: later batches win over earlier ones. */
  private batchTime: string | undefined;
  readonly written: KindCounts = emptyCounts();
  private readonly batchSize: number;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly options: EventWriterOptions,
  ) {
    this.batchSize = options.batchSize ?? 20_000;
  }

  /** Queue one event; inserts when the batch is full. */
  async add(event: CanonicalEvent): Promise<void> {
    const table = tableOf[event.kind];
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = []));
    this.batchTime ??= nowIso(this.options.clock);
    buffer.push(toRow(event, this.options.source, this.batchTime));
    this.written[event.kind]++;
    if (++this.buffered >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    for (const [table, rows] of this.buffers) {
      if (rows.length === 0) continue;
      await insertRows(this.client, table, rows);
      this.buffers.set(table, []);
    }
    this.buffered = 0;
    this.batchTime = undefined;
  }
}

/** Write a finite list of events (a collector batch, a `dora record`). */
export async function writeEvents(
  client: ClickHouseClient,
  events: Iterable<CanonicalEvent>,
  options: EventWriterOptions,
): Promise<KindCounts> {
  const writer = new EventWriter(client, options);
  for (const event of events) await writer.add(event);
  await writer.flush();
  return writer.written;
}

export async function saveCursor(client: ClickHouseClient, source: string, scope: string, cursor: string): Promise<void> {
  await insertRows(client, tables.cursors, [{ source, scope, cursor, updated_at: toClickHouseTime(nowIso()) }]);
}

export async function readCursor(client: ClickHouseClient, source: string, scope: string): Promise<string | undefined> {
  const result = await client.query({
    query: `SELECT cursor FROM ${tables.cursors} FINAL WHERE source = {source:String} AND scope = {scope:String}`,
    query_params: { source, scope },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ cursor: string }>();
  return rows[0]?.cursor;
}

export interface IngestRun {
  run_id: string;
  source: string;
  scope: string;
  started_at: string;
  finished_at: string;
  status: 'ok' | 'partial' | 'failed';
  accepted: number;
  rejected: number;
  message: string;
}

/** Remember an import or collection, for `dora doctor`'s "last import/collection". */
export async function recordRun(client: ClickHouseClient, run: IngestRun): Promise<void> {
  await insertRows(client, tables.runs, [
    { ...run, started_at: toClickHouseTime(run.started_at), finished_at: toClickHouseTime(run.finished_at) },
  ]);
}
