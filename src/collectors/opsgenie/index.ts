import { setTimeout as sleepFor } from 'node:timers/promises';
import { ServiceCatalog } from '../../catalog/index.js';
import { SourceAuthError } from '../../errors.js';
import type { IncidentEvent } from '../../events/schemas.js';
import { registerSecret } from '../../log.js';
import { resolveSince } from '../since.js';
import type { Batch, CollectContext, Collector } from '../types.js';
import { DEFAULT_OPSGENIE_API_URL, OpsgenieClient } from './client.js';
import { OpsgenieConfig } from './config.js';
import { readCursor, writeCursor, type OpsgenieCursor } from './cursor.js';
import { incidentEvent, isDone, parseItem, type Kind, type MapContext } from './events.js';

export { OpsgenieConfig } from './config.js';

export interface OpsgenieCollectorOptions {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Items per page (`limit`). Default 100, Opsgenie's maximum. */
  pageSize?: number;
}

/** Read again from an hour before the watermark, so an item listed late is not missed. */
const OVERLAP_MS = 3_600_000;
/** Past this offset the query restarts at the last creation time read, instead of paging deeper. */
const MAX_OFFSET = 5_000;
/** Items gathered before a batch is written. */
const BATCH_EVENTS = 1_000;

export function createOpsgenieCollector(options: OpsgenieCollectorOptions = {}): Collector<OpsgenieConfig> {
  return {
    id: 'opsgenie',
    description: 'Opsgenie alerts or incidents: priority, opened and closed times (OPSGENIE_API_KEY)',
    configSchema: OpsgenieConfig,
    flags: [
      { flags: '--kind <alerts|incidents>', description: 'read alerts (default) or Incident Management incidents', key: 'kind' },
      { flags: '--query <search>', description: 'Opsgenie search query ANDed to the time filter, e.g. "tag:production"', key: 'query' },
      { flags: '--priority <name...>', description: 'priorities that count (P1 P2 P3); others are stored as ignored', key: 'priorities' },
      { flags: '--since <date|90d>', description: 'how far back the first run goes (default 180d); earlier later backfills', key: 'since' },
    ],
    examples: [
      'OPSGENIE_API_KEY=... dora collect opsgenie --priority P1 P2 P3 P4',
      'dora collect opsgenie --kind incidents --since 90d',
      'OPSGENIE_API_URL=https://api.eu.opsgenie.com dora collect opsgenie --query "tag:production"',
    ],
    collect: (ctx) => collectOpsgenie(ctx, options),
  };
}

export const opsgenieCollector = createOpsgenieCollector();

async function* collectOpsgenie(ctx: CollectContext<OpsgenieConfig>, options: OpsgenieCollectorOptions): AsyncGenerator<Batch> {
  const key = ctx.env.OPSGENIE_API_KEY?.trim();
  if (!key) {
    throw new SourceAuthError('OPSGENIE_API_KEY is not set: the Opsgenie collector needs an API key', {
      suggestion: 'create an API integration key with Read access (Settings > Integrations > API) and export OPSGENIE_API_KEY=<key>',
    });
  }
  registerSecret(key);
  const client = new OpsgenieClient({
    baseUrl: ctx.env.OPSGENIE_API_URL?.trim() || DEFAULT_OPSGENIE_API_URL,
    key,
    fetch: ctx.fetch,
    log: ctx.log,
    sleep: options.sleep ?? sleepFor,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const kind: Kind = ctx.config.kind;
  const listPath = kind === 'alerts' ? '/v2/alerts' : '/v1/incidents';
  const onePath = (id: string) => `${listPath}/${encodeURIComponent(id)}`;
  const now = (options.now ?? Date.now)();
  const since = resolveSince(ctx.config.since, now);
  const previous = readCursor(await ctx.cursor(kind), ctx.log);
  const backfill = !previous || since < previous.start;
  // The start moves back only once a backfill is complete: a run that dies half-way backfills again.
  const cursor: OpsgenieCursor = { start: previous?.start ?? since, watermark: previous?.watermark ?? since, open: previous?.open ?? [] };
  let from = backfill ? Date.parse(since) : Math.max(Date.parse(cursor.start), Date.parse(cursor.watermark) - OVERLAP_MS);
  const map: MapContext = { catalog: ServiceCatalog.of(ctx.agent), filter: ctx.config, log: ctx.log };
  const open = new Set(cursor.open);
  const seen = new Set<string>();
  const pageSize = options.pageSize ?? 100;

  // The list leaves out an alert's entity, description and details (where releases and SHAs are named): one more request each.
  const take = async (items: unknown[], complete: boolean) => {
    const events: IncidentEvent[] = [];
    for (const raw of items) {
      let item = parseItem(kind, raw, ctx.log);
      if (!item) continue;
      if (kind === 'alerts' && ctx.config.readDetails && !complete) {
        const full = parseItem(kind, await client.one(onePath(item.id), { identifierType: 'id' }), ctx.log);
        if (full) item = full;
      }
      seen.add(item.id);
      if (isDone(kind, item.status)) open.delete(item.id);
      else open.add(item.id);
      const event = incidentEvent(kind, item, map);
      if (event) events.push(event);
    }
    return events;
  };
  const batch = (events: IncidentEvent[], watermark: number): Batch => {
    cursor.watermark = new Date(Math.max(watermark, previous && backfill ? Date.parse(previous.watermark) : watermark)).toISOString();
    cursor.open = [...open].sort();
    return { events, cursor: { scope: kind, value: writeCursor(cursor) } };
  };

  // Pages are gathered into batches of about 1,000: one insert each, and a cursor after each.
  let pending: IncidentEvent[] = [];
  const filter = ctx.config.query ? ` AND (${ctx.config.query})` : '';
  let offset = 0;
  for (;;) {
    // Opsgenie's query language compares creation times in epoch milliseconds.
    const page = await client.list(listPath, { query: `createdAt>=${from}${filter}`, offset: String(offset), limit: String(pageSize), sort: 'createdAt', order: 'asc' });
    pending.push(...(await take(page.items, false)));
    if (!page.more || page.items.length === 0) break;
    const last = pending.at(-1)?.opened_at;
    if (pending.length >= BATCH_EVENTS && last) {
      yield batch(pending, Date.parse(last));
      pending = [];
    }
    offset += page.items.length;
    if (offset >= MAX_OFFSET && last) {
      from = Date.parse(last);
      offset = 0;
    }
  }
  yield batch(pending, now);
  pending = [];

  // Items open last time and not listed again: one listing of what is open now tells which are still
  // open (the list lacks the details, so nothing is written from it); the others are read by id.
  let stale = [...open].filter((id) => !seen.has(id));
  if (stale.length > 0) {
    const stillOpen = new Set<string>();
    for (let at = 0; at < MAX_OFFSET; ) {
      const page = await client.list(listPath, { query: `status:open${filter}`, offset: String(at), limit: String(pageSize), sort: 'createdAt', order: 'asc' });
      for (const item of page.items) if (typeof (item as { id?: unknown })?.id === 'string') stillOpen.add((item as { id: string }).id);
      if (!page.more || page.items.length === 0) break;
      at += page.items.length;
    }
    stale = stale.filter((id) => !stillOpen.has(id));
  }
  for (const id of stale) {
    const item = await client.one(onePath(id), { identifierType: 'id' });
    if (item === undefined) {
      ctx.log.warn('opsgenie item no longer found; no longer followed', { kind, id });
      open.delete(id);
      continue;
    }
    pending.push(...(await take([item], true)));
  }
  if (since < cursor.start) cursor.start = since;
  yield batch(pending, Date.parse(cursor.watermark));
}
