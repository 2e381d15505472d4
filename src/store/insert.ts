import type { ClickHouseClient } from '@clickhouse/client';

/** Clients whose transport is the embedded engine (set by openStore). */
const embeddedClients = new WeakSet<ClickHouseClient>();

export function markEmbedded(client: ClickHouseClient): void {
  embeddedClients.add(client);
}

const structures = new WeakMap<ClickHouseClient, Map<string, string>>();

/**
 * Insert rows as JSONEachRow. On a server this is a plain insert. On the embedded
 * engine the rows travel as a bound parameter read by `format()`: chDB treats the
 * host process's stdin as insert data (chdb-io/chdb-core#239), so a plain insert
 * fails, or worse, takes in stdin, whenever `dora import -` or a CI pipe feeds us.
 */
export async function insertRows(client: ClickHouseClient, table: string, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  if (!embeddedClients.has(client)) {
    await client.insert({ table, values: rows as object[], format: 'JSONEachRow' });
    return;
  }
  const data = rows.map((row) => JSON.stringify(row)).join('\n');
  await client.command({
    query: `INSERT INTO ${table} SELECT * FROM format(JSONEachRow, {structure:String}, {data:String})`,
    query_params: { structure: await structureOf(client, table), data },
  });
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
