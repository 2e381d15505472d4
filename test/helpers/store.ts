import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { openStore, type Store } from '../../src/store/connect.js';

/** A fresh directory for one test file's embedded store. */
export function tempDir(prefix = 'dora-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Open the real embedded engine on a fresh directory. Close it in afterAll. */
export async function tempStore(): Promise<Store & { dir: string; dispose: () => Promise<void> }> {
  const { dir, remove } = tempDir();
  const store = await openStore({ home: join(dir, 'store') });
  return Object.assign(store, {
    dir,
    dispose: async () => {
      await store.close();
      remove();
    },
  });
}

/** Rows of a query, with parameters. */
export async function queryRows<T = Record<string, unknown>>(
  client: ClickHouseClient,
  query: string,
  query_params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params, format: 'JSONEachRow' });
  return result.json<T>();
}

/** Row count of a table after deduplication. */
export async function countFinal(client: ClickHouseClient, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(client, `SELECT count() AS n FROM ${table} FINAL`);
  return Number(row?.n ?? 0);
}
