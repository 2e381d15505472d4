import { setTimeout as sleepFor } from 'node:timers/promises';
import { ServiceCatalog } from '../../catalog/index.js';
import { SourceAuthError } from '../../errors.js';
import type { IncidentEvent } from '../../events/schemas.js';
import { registerSecret } from '../../log.js';
import type { Batch, CollectContext, Collector } from '../types.js';
import { DEFAULT_PAGERDUTY_API_URL, MAX_OFFSET, PagerDutyClient, type Query } from './client.js';
import { resolveSince } from '../since.js';
import { PagerDutyConfig } from './config.js';
import { CURSOR_SCOPE, readCursor, writeCursor, type PagerDutyCursor } from './cursor.js';
import { incidentEvent, parseIncident, resolvedAt, type MapContext } from './events.js';

export { PagerDutyConfig } from './config.js';

export interface PagerDutyCollectorOptions {
  /** Injected so tests assert the back-off waits instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Incidents per page (`limit`). Default 100, PagerDuty's maximum. */
  pageSize?: number;
  /** Days per `since`/`until` query (PagerDuty allows at most 6 months). Default 30. */
  windowDays?: number;
}

const DAY_MS = 86_400_000;
/** Each run reads again from an hour before the watermark: an incident created just before the last run ended but listed late is not missed. */
const OVERLAP_MS = 3_600_000;
/** Incidents gathered before a batch is written. */
const BATCH_EVENTS = 1_000;

export function createPagerDutyCollector(options: PagerDutyCollectorOptions = {}): Collector<PagerDutyConfig> {
  return {
    id: 'pagerduty',
    description: 'PagerDuty incidents (REST API v2): service, urgency, priority, opened and resolved times (PAGERDUTY_TOKEN)',
    configSchema: PagerDutyConfig,
    flags: [
      { flags: '--service <id...>', description: 'only these PagerDuty services (ids)', key: 'services' },
      { flags: '--team <id...>', description: 'only incidents of these PagerDuty teams (ids)', key: 'teams' },
      { flags: '--urgency <level...>', description: 'urgencies that count as incidents (high, low); others are stored as ignored', key: 'urgencies' },
      { flags: '--priority <name...>', description: 'priorities that count (P1 P2 P3); others are stored as ignored', key: 'priorities' },
      { flags: '--since <date|90d>', description: 'how far back the first run goes (default 180d); earlier later backfills', key: 'since' },
    ],
    examples: [
      'PAGERDUTY_TOKEN=... dora collect pagerduty --urgency high',
      'dora collect pagerduty --service P1ABCDE PQRSTUV --since 90d',
      'PAGERDUTY_API_URL=https://api.eu.pagerduty.com dora collect pagerduty',
    ],
    collect: (ctx) => collectPagerDuty(ctx, options),
  };
}

export const pagerdutyCollector = createPagerDutyCollector();

async function* collectPagerDuty(ctx: CollectContext<PagerDutyConfig>, options: PagerDutyCollectorOptions): AsyncGenerator<Batch> {
  const token = ctx.env.PAGERDUTY_TOKEN?.trim();
  if (!token) {
    throw new SourceAuthError('PAGERDUTY_TOKEN is not set: the PagerDuty collector needs a REST API key', {
      suggestion: 'create a read-only API key (Integrations > API Access Keys) and export PAGERDUTY_TOKEN=<key>',
    });
  }
  registerSecret(token);
  const client = new PagerDutyClient({
    baseUrl: ctx.env.PAGERDUTY_API_URL?.trim() || DEFAULT_PAGERDUTY_API_URL,
    token,
    fetch: ctx.fetch,
    log: ctx.log,
    sleep: options.sleep ?? sleepFor,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const now = (options.now ?? Date.now)();
  const since = resolveSince(ctx.config.since, now);
  const previous = readCursor(await ctx.cursor(CURSOR_SCOPE), ctx.log);
  // An earlier `since` than the cursor's start backfills from there; otherwise go on from the watermark.
  const backfill = !previous || since < previous.start;
  // The start moves back only once the backfill is complete: a run that dies half-way backfills again.
  const cursor: PagerDutyCursor = {
    start: previous?.start ?? since,
    watermark: previous?.watermark ?? since,
    open: previous?.open ?? [],
  };
  const from = backfill ? Date.parse(since) : Math.max(Date.parse(cursor.start), Date.parse(cursor.watermark) - OVERLAP_MS);
  const map: MapContext = { catalog: ServiceCatalog.of(ctx.agent), filter: ctx.config, log: ctx.log };
  const open = new Set(cursor.open);
  const seen = new Set<string>();
  const filters: Query = [
    ...(ctx.config.services ?? []).map((id): [string, string] => ['service_ids[]', id]),
    ...(ctx.config.teams ?? []).map((id): [string, string] => ['team_ids[]', id]),
  ];
  const include: Query = [['include[]', 'first_trigger_log_entries']];
  const pageSize = options.pageSize ?? 100;
  const windowMs = (options.windowDays ?? 30) * DAY_MS;

  const take = async (items: unknown[], where: string) => {
    const events: IncidentEvent[] = [];
    for (const item of items) {
      const incident = parseIncident(item, where, ctx.log);
      if (!incident) continue;
      seen.add(incident.id);
      if (incident.status === 'resolved') open.delete(incident.id);
      else open.add(incident.id);
      // Resolved, but neither `resolved_at` nor `last_status_change_at` says when: the log entries do.
      const resolved = resolvedAt(incident) ?? (incident.status === 'resolved' ? await client.resolvedAtFromLog(incident.id) : undefined);
      const event = incidentEvent(incident, map, resolved);
      if (event) events.push(event);
    }
    return events;
  };
  const batch = (events: IncidentEvent[], watermark: number): Batch => {
    // The watermark never moves back: a backfill reads older windows without undoing a later one.
    const value = Math.max(watermark, backfill && previous ? Date.parse(previous.watermark) : watermark);
    cursor.watermark = new Date(value).toISOString();
    cursor.open = [...open].sort();
    return { events, cursor: { scope: CURSOR_SCOPE, value: writeCursor(cursor) } };
  };

  // Pages are gathered into batches of about 1,000 incidents: one insert each, and a cursor after each.
  let pending: IncidentEvent[] = [];
  for (let windowStart = from; windowStart < now; windowStart += windowMs) {
    const windowEnd = Math.min(now, windowStart + windowMs);
    let start = windowStart;
    let offset = 0;
    for (;;) {
      const query: Query = [
        ['since', new Date(start).toISOString()],
        ['until', new Date(windowEnd).toISOString()],
        ['sort_by', 'created_at:asc'],
        ['time_zone', 'UTC'],
        ...filters,
        ...include,
      ];
      const page = await client.incidents(query, offset, pageSize);
      pending.push(...(await take(page.items, `page at offset ${offset}`)));
      if (!page.more || page.items.length === 0) break;
      const last = pending.at(-1)?.opened_at;
      // Sorted by creation, so everything before the last one is read: resume there after a crash.
      if (pending.length >= BATCH_EVENTS && last) {
        yield batch(pending, Date.parse(last));
        pending = [];
      }
      offset += page.items.length;
      if (offset + pageSize > MAX_OFFSET && last) {
        // PagerDuty refuses offsets past 10,000: narrow the window to start at the last incident read.
        start = Date.parse(last);
        offset = 0;
      }
    }
    if (pending.length >= BATCH_EVENTS || windowEnd >= now) {
      yield batch(pending, windowEnd);
      pending = [];
    }
  }

  // Incidents open last time and not listed again (opened before this run's window): one listing of
  // what is open now, whatever its date; those no longer in it are read by id for their resolution.
  if ([...open].some((id) => !seen.has(id))) {
    const openNow: Query = [['date_range', 'all'], ['statuses[]', 'triggered'], ['statuses[]', 'acknowledged'], ['sort_by', 'created_at:asc'], ...filters, ...include];
    for (let offset = 0; offset + pageSize <= MAX_OFFSET; ) {
      const page = await client.incidents(openNow, offset, pageSize);
      pending.push(...(await take(page.items, `open incidents at offset ${offset}`)));
      if (!page.more || page.items.length === 0) break;
      offset += page.items.length;
    }
  }
  for (const id of [...open].filter((candidate) => !seen.has(candidate))) {
    const item = await client.incident(id, include);
    if (item === undefined) {
      ctx.log.warn('pagerduty incident no longer found; no longer followed', { incident: id });
      open.delete(id);
      continue;
    }
    pending.push(...(await take([item], `incident ${id}`)));
  }
  if (since < cursor.start) cursor.start = since;
  yield batch(pending, Date.parse(cursor.watermark));
}
