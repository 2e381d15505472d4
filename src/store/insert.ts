import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Clients whose transport is the embedded engine (set by openStore). */
const embeddedClients = new WeakSet<ClickHouseClient>();

export function markEmbedded(client: ClickHouseClient): void {
  embeddedClients.add(client);
}

/** Whether the client's transport is the embedded engine (so the engine can read our files). */
export function isEmbedded(client: ClickHouseClient): boolean {
  return embeddedClients.has(client);
}

const structures = new WeakMap<ClickHouseClient, Map<string, string>>();

/**
 * Insert rows as JSONEachRow. On a server this is a plain insert. On the embedded
 * engine the batch goes through a temporary file read by `file()`: chDB treats the
 * host process's stdin as data for any INSERT that carries its own (chdb-io/chdb-core#239),
 * so an inline insert fails, or worse, takes in stdin, whenever `dora import -` or a
 * CI pipe feeds us. INSERT ... SELECT never reads stdin, and the engine reading a file
 * is also the fastest path measured (20k rows: 46 ms, against 88 ms inline and 279 ms
 * as a `format()` parameter).
 */
export async function insertRows(client: ClickHouseClient, table: string, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  if (!embeddedClients.has(client)) {
    await client.insert({ table, values: rows as object[], format: 'JSONEachRow' });
    return;
  }
  const file = batchFile(table);
  await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n'));
  try {
    await client.command({
      query: `INSERT INTO ${table} SELECT * FROM file({file:String}, JSONEachRow, {structure:String})`,
      query_params: { file, structure: await structureOf(client, table) },
    });
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

let batchCounter = 0;
let batches: string | undefined;

/** A fresh path for one batch file (the caller removes it). */
export function batchFile(name: string): string {
  return join(batchDirectory(), `${name}-${++batchCounter}.ndjson`);
}

/** One private directory per process for batch files, removed on exit. */
function batchDirectory(): string {
  if (!batches) {
    const directory = mkdtempSync(join(tmpdir(), 'dora-insert-'));
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
    batches = directory;
  }
  return batches;
}

async function structureOf(client: ClickHouseClient, table: string): Promise<string> {
  let cache = structures.get(client);
  if (!cache) structures.set(client, (cache = new Map()));
  const known = cache.get(table);
  if (known) return known;
  const result = await client.query({
    query: `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position`,
    query_params: { table },
    format: 'JSONEachRow',
  });
  const columns = await result.json<{ name: string; type: string }>();
  if (columns.length === 0) throw new Error(`table ${table} does not exist`);
  const structure = columns.map((column) => `\`${column.name}\` ${column.type}`).join(', ');
  cache.set(table, structure);
  return structure;
}
