import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../derive/time.js';
import { insertRows } from '../store/insert.js';

export const digestDeliveriesTable = 'digest_deliveries';

export interface DigestDelivery {
  period: string;
  channel: string;
  status: 'sent' | 'failed';
  detail: string;
  agent: string;
  at: number;
}

/** Channels this period's digest already reached. */
export async function sentChannels(client: ClickHouseClient, period: string): Promise<Set<string>> {
  const result = await client.query({
    query: `SELECT channel FROM ${digestDeliveriesTable} FINAL WHERE period = {period:String} AND status = 'sent'`,
    query_params: { period },
    format: 'JSONEachRow',
  });
  return new Set((await result.json<{ channel: string }>()).map((row) => row.channel));
}

export async function recordDeliveries(client: ClickHouseClient, rows: readonly DigestDelivery[]): Promise<void> {
  await insertRows(client, digestDeliveriesTable, rows.map((row) => ({ ...row, at: chTime(row.at) })));
}
