import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../derive/time.js';
import { insertRows } from '../store/insert.js';
import type { ChannelId } from './channels.js';

export const claimsTable = 'alert_claims';
export const deliveriesTable = 'alert_deliveries';

export interface DeliveryRow {
  key: string;
  channel: ChannelId;
  attempt: number;
  release_id: string;
  service: string;
  verdict: string;
  kind: 'flag' | 'resolution';
  /** The release's state when the alert went out: a flag sent while `live` waits for a resolution. */
  state: string;
  status: 'sent' | 'failed';
  detail: string;
  agent: string;
  at: number;
}

export interface ClaimWanted {
  key: string;
  channel: ChannelId;
}

export interface LedgerOptions {
  /** Wait between writing claims and reading who won, so a concurrent agent's claim is visible. Default 250 ms. */
  settleMs?: number;
  /** A claim with no delivery recorded after this long belonged to an agent that died: claim again. Default 10 min. */
  claimTtlMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * The store's record of alerts, shared by every agent on the same ClickHouse. ClickHouse
 * has no transactions, so sending is claimed: each agent inserts a claim per (alert,
 * channel, attempt), waits for concurrent claims to land, and the earliest claim (by the
 * server's clock, then agent id) wins; only the winner sends. A failed delivery moves the
 * next run to the next attempt; a claim never followed by a delivery expires.
 */
export class Ledger {
  private readonly settleMs: number;
  private readonly claimTtlMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly client: ClickHouseClient,
    readonly agent: string,
    options: LedgerOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 250;
    this.claimTtlMs = options.claimTtlMs ?? 10 * 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Every recorded delivery of these releases. */
  async deliveries(releaseIds: readonly string[]): Promise<DeliveryRow[]> {
    if (releaseIds.length === 0) return [];
    const result = await this.client.query({
      query: `SELECT key, channel, attempt, release_id, service, verdict, kind, state, status, detail, agent, toUnixTimestamp64Milli(at) AS at_ms
              FROM ${deliveriesTable} FINAL WHERE release_id IN {ids:Array(String)}`,
      query_params: { ids: [...releaseIds] },
      format: 'JSONEachRow',
    });
    return (await result.json<Omit<DeliveryRow, 'at'> & { at_ms: number }>()).map(({ at_ms, ...row }) => ({ ...row, attempt: Number(row.attempt), at: Number(at_ms) }));
  }

  /** Releases with a flag sent while they were live and, on that channel, no resolution yet. */
  async awaitingResolution(): Promise<string[]> {
    const result = await this.client.query({
      query: `SELECT DISTINCT release_id FROM (
                SELECT release_id, channel FROM ${deliveriesTable} FINAL WHERE status = 'sent'
                GROUP BY release_id, channel
                HAVING countIf(kind = 'flag' AND state = 'live') > 0 AND countIf(kind = 'resolution') = 0)`,
      format: 'JSONEachRow',
    });
    return (await result.json<{ release_id: string }>()).map((row) => row.release_id);
  }

  /** The latest flag sent per service and channel since `since`: (release, time). */
  async recentFlags(since: number): Promise<Map<string, { release: string; at: number }>> {
    const result = await this.client.query({
      query: `SELECT service, channel, argMax(release_id, at) AS last_release, toUnixTimestamp64Milli(max(at)) AS last_ms
              FROM ${deliveriesTable} FINAL WHERE status = 'sent' AND kind = 'flag' AND at >= {since:DateTime64(3, 'UTC')}
              GROUP BY service, channel`,
      query_params: { since: chTime(since) },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ service: string; channel: string; last_release: string; last_ms: number }>();
    return new Map(rows.map((row) => [`${row.service}\u0000${row.channel}`, { release: row.last_release, at: Number(row.last_ms) }]));
  }

  /**
   * Claim the right to send each (alert, channel). Returns the claims this agent won (with
   * their attempt number), and those another agent is sending right now.
   */
  async claim(wanted: readonly ClaimWanted[], known: readonly DeliveryRow[]): Promise<{ won: (ClaimWanted & { attempt: number })[]; busy: ClaimWanted[] }> {
    if (wanted.length === 0) return { won: [], busy: [] };
    const keys = [...new Set(wanted.map((item) => item.key))];
    const before = await this.claims(keys);
    const failedAttempts = new Set(known.filter((row) => row.status === 'failed').map((row) => `${row.key}\u0000${row.channel}\u0000${row.attempt}`));
    const now = this.now();
    const mine: (ClaimWanted & { attempt: number })[] = [];
    const busy: ClaimWanted[] = [];
    for (const item of wanted) {
      const latest = before.filter((claim) => claim.key === item.key && claim.channel === item.channel).sort((a, b) => b.attempt - a.attempt)[0];
      if (!latest) {
        mine.push({ ...item, attempt: 1 });
      } else if (failedAttempts.has(`${item.key}\u0000${item.channel}\u0000${latest.attempt}`) || now - latest.claimedAt > this.claimTtlMs) {
        mine.push({ ...item, attempt: latest.attempt + 1 });
      } else {
        busy.push(item);
      }
    }
    if (mine.length === 0) return { won: [], busy };
    await this.client.command({
      // The server's clock orders the claims, so agents on machines with skewed clocks still agree.
      query: `INSERT INTO ${claimsTable} (key, channel, attempt, agent, claimed_at)
              SELECT key, channel, attempt, agent, now64(6, 'UTC') FROM format(JSONEachRow, 'key String, channel String, attempt UInt32, agent String', {data:String})`,
      query_params: { data: mine.map((item) => JSON.stringify({ key: item.key, channel: item.channel, attempt: item.attempt, agent: this.agent })).join('\n') },
    });
    if (this.settleMs > 0) await this.sleep(this.settleMs);
    const after = await this.claims(keys);
    const winner = new Map(after.map((claim) => [`${claim.key}\u0000${claim.channel}\u0000${claim.attempt}`, claim.winner]));
    const won = mine.filter((item) => winner.get(`${item.key}\u0000${item.channel}\u0000${item.attempt}`) === this.agent);
    const lost = mine.filter((item) => !won.includes(item)).map(({ key, channel }) => ({ key, channel }));
    return { won, busy: [...busy, ...lost] };
  }

  async record(rows: readonly DeliveryRow[]): Promise<void> {
    await insertRows(
      this.client,
      deliveriesTable,
      rows.map((row) => ({ ...row, at: chTime(row.at) })),
    );
  }

  private async claims(keys: readonly string[]): Promise<{ key: string; channel: string; attempt: number; winner: string; claimedAt: number }[]> {
    const result = await this.client.query({
      query: `SELECT key, channel, attempt, argMin(agent, (claimed_at, agent)) AS winner, toUnixTimestamp64Milli(min(claimed_at)) AS claimed_ms
              FROM ${claimsTable} WHERE key IN {keys:Array(String)} GROUP BY key, channel, attempt`,
      query_params: { keys: [...keys] },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ key: string; channel: string; attempt: number; winner: string; claimed_ms: number }>();
    return rows.map((row) => ({ key: row.key, channel: row.channel, attempt: Number(row.attempt), winner: row.winner, claimedAt: Number(row.claimed_ms) }));
  }
}
