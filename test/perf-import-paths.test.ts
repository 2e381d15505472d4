import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventWithSchema } from '../src/events/parse.js';
import type { CanonicalEvent } from '../src/events/schemas.js';
import { importEvents } from '../src/ingest/import.js';
import { tables } from '../src/store/schema.js';
import { writeEvents } from '../src/store/writer.js';
import { corpus } from './perf-corpus.js';
import { queryRows, tempStore } from './helpers/store.js';

/**
 * On the embedded engine `dora import` hands validated JSON text to the engine, which maps it to
 * columns (src/store/event-lines.ts), instead of building rows in JavaScript (writer.ts toRow, the
 * path collectors and servers use). Both must store the same rows: the same seeded lines, valid and
 * invalid, go through each, and every stored row is compared (all columns but the ingestion time).
 */

const eventTables = [tables.commits, tables.pullRequests, tables.deployments, tables.incidents];

async function dump(client: Parameters<typeof queryRows>[0]) {
  const rows: Record<string, unknown[]> = {};
  for (const table of eventTables) {
    // Every copy, not FINAL: the same object appears many times in the corpus, and both paths must write each.
    rows[table] = await queryRows(client, `SELECT * EXCEPT ingested_at FROM ${table} ORDER BY ALL`);
  }
  return rows;
}

describe('the import insert path against the row writer', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  const lines = corpus(20_000);
  let viaRows: Record<string, unknown[]>;
  let viaLines: Record<string, unknown[]>;
  let summary: Awaited<ReturnType<typeof importEvents>>;

  beforeAll(async () => {
    store = await tempStore();
    // Keep every copy an insert brings (by default ReplacingMergeTree folds copies within one insert).
    await store.client.command({ query: 'SET optimize_on_insert = 0' });
    const accepted = lines
      .map((line) => parseEventWithSchema(JSON.parse(line)))
      .flatMap((result) => (result.ok ? [result.event as CanonicalEvent] : []));
    await writeEvents(store.client, accepted, { source: 'import' });
    viaRows = await dump(store.client);
    for (const table of eventTables) await store.client.command({ query: `TRUNCATE TABLE ${table}` });
    // Small batches, so several are in flight one after another.
    summary = await importEvents(store.client, Readable.from([lines.join('\n')]), { scope: 'test', batchSize: 3000 });
    viaLines = await dump(store.client);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('stores the same rows both ways', () => {
    const total = Object.values(viaRows).reduce((sum, rows) => sum + rows.length, 0);
    expect(total).toEqual(summary.accepted);
    expect(viaLines).toStrictEqual(viaRows);
  });

  it('counts the lines the schemas count', () => {
    const rejected = lines.filter((line) => !parseEventWithSchema(JSON.parse(line)).ok).length;
    expect([summary.lines, summary.rejected, summary.accepted]).toEqual([lines.length, rejected, lines.length - rejected]);
  });
});
