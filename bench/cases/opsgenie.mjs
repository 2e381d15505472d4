// The Opsgenie collector over 50,000 alerts and 50,000 incidents (BENCH_OPSGENIE_ITEMS, each) in 180 days,
// served by a local REST API answering like Opsgenie's (opsgenie-oas.json): `GET /v2/alerts` (BaseAlert:
// no entity, description or details) and `GET /v2/alerts/{id}` (Alert, with them), `GET /v1/incidents`
// (BaseIncident, with extra properties); `query=createdAt>=<epoch ms>` or `status:open`,
// `sort=createdAt&order=asc`, `offset`, `limit` 1-100 (422 past it), `paging.next` while more, the GenieKey
// checked. For each kind a first run, then a second run an hour later with nothing new: the 100 items still
// open are found in one listing of open items (`status:open`) instead of one request each. Alerts are the
// default kind, and each new alert is read once more by id for its details (readDetails, the default).
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpsgenieCollector } from '../../dist/collectors/opsgenie/index.js';
import { runCollector } from '../../dist/collectors/runner.js';
import { Config } from '../../dist/config/schema.js';
import { createLogger } from '../../dist/log.js';
import { openStore } from '../../dist/store/connect.js';

const total = Number(process.env.BENCH_OPSGENIE_ITEMS ?? 50_000);
const key = 'bench-genie-key';
const start = Date.UTC(2026, 0, 1);
const now = start + 180 * 86_400_000;
const step = (now - start - 3_600_000) / total;
const pad = (n) => String(n).padStart(12, '0');
const prefix = { alerts: 'a1e70000-0000-4000-8000-', incidents: '1c1d0000-0000-4000-8000-' };
const iso = (time) => new Date(time).toISOString();

// Item n of either kind, made on demand (nothing held but the count): created every `step` ms, in creation
// order; one in 500 still open; the others closed after 5-300 minutes; priorities P1-P5 in turn; 20 services.
const createdAt = (n) => start + Math.floor(n * step);
const isOpen = (n) => n % 500 === 0;
const closeTime = (n) => (5 + ((n * 37) % 296)) * 60_000;
const priority = (n) => `P${1 + (n % 5)}`;
const service = (n) => `service-${n % 20}`;
const indexOf = (kind, id) => {
  if (!id.startsWith(prefix[kind])) return undefined;
  const n = Number(id.slice(prefix[kind].length));
  return Number.isInteger(n) && n >= 0 && n < total ? n : undefined;
};

function alert(n, full) {
  const open = isOpen(n);
  const created = createdAt(n);
  return {
    id: `${prefix.alerts}${pad(n)}`, tinyId: String(n + 1), alias: `bench-${n}`, message: `${service(n)} error rate above 5%`,
    status: open ? 'open' : 'closed', acknowledged: !open, isSeen: true, tags: ['production', `service:${service(n)}`], snoozed: false, count: 1,
    lastOccurredAt: iso(created), createdAt: iso(created), updatedAt: iso(created + (open ? 0 : closeTime(n))),
    source: 'Datadog', owner: '', priority: priority(n), responders: [{ type: 'team', id: 'team-1' }],
    integration: { id: 'int-1', name: 'Datadog', type: 'Datadog' },
    report: open ? {} : { ackTime: 60_000, closeTime: closeTime(n), closedBy: 'oncall' },
    ...(full
      ? { actions: [], entity: service(n), description: `started after release v${n % 900}`, details: { service: service(n), release: `v${n % 900}` } }
      : {}),
  };
}

function incident(n) {
  const open = isOpen(n);
  const created = createdAt(n);
  return {
    id: `${prefix.incidents}${pad(n)}`, tinyId: String(n + 1), message: `${service(n)} degraded`, description: `started after release v${n % 900}`,
    status: open ? 'open' : n % 3 === 0 ? 'closed' : 'resolved', isSeen: true, tags: ['production'],
    createdAt: iso(created), updatedAt: iso(created + (open ? 0 : closeTime(n))), priority: priority(n), ownerTeam: 'team-1', responders: [],
    extraProperties: { release: `v${n % 900}` }, impactedServices: [service(n)],
  };
}

/** The first n created at or after `time`. */
function firstAtOrAfter(time) {
  let low = 0;
  let high = total;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (createdAt(middle) < time) low = middle + 1;
    else high = middle;
  }
  return low;
}
const openItems = Array.from({ length: Math.ceil(total / 500) }, (_, i) => i * 500);

let requests = 0;
const server = createServer((req, res) => {
  requests++;
  const url = new URL(req.url, 'http://localhost');
  const send = (status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-RateLimit-State': 'OK', ...headers });
    res.end(JSON.stringify({ ...body, took: 0.01, requestId: `bench-${requests}` }));
  };
  if (req.headers.authorization !== `GenieKey ${key}`) return send(401, { message: 'Could not authenticate' });
  const kind = url.pathname === '/v2/alerts' ? 'alerts' : url.pathname === '/v1/incidents' ? 'incidents' : undefined;
  if (!kind) {
    const one = /^\/(v2\/alerts|v1\/incidents)\/([^/]+)$/.exec(url.pathname);
    const oneKind = one?.[1] === 'v2/alerts' ? 'alerts' : 'incidents';
    const n = one && (url.searchParams.get('identifierType') ?? 'id') === 'id' ? indexOf(oneKind, decodeURIComponent(one[2])) : undefined;
    if (n === undefined) return send(404, { message: `${oneKind === 'alerts' ? 'Alert' : 'Incident'} with id [${one?.[2] ?? ''}] does not exist` });
    return send(200, { data: oneKind === 'alerts' ? alert(n, true) : incident(n) });
  }
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100)) return send(422, { message: 'limit should be between 1 and 100' });
  if (!(Number.isInteger(offset) && offset >= 0)) return send(422, { message: 'offset should be a non-negative integer' });
  // Only what the collector asks is modelled: ascending creation order, a creation-time or an open filter.
  if (url.searchParams.get('sort') !== 'createdAt' || url.searchParams.get('order') !== 'asc') return send(422, { message: 'bench: only sort=createdAt&order=asc is modelled' });
  const query = url.searchParams.get('query') ?? '';
  const since = /^createdAt>=(\d+)$/.exec(query);
  if (!since && query !== 'status:open') return send(422, { message: `Invalid query: ${query}` });
  // Indices of the matching items, in creation order: a range, or the open ones.
  const from = since ? firstAtOrAfter(Number(since[1])) : 0;
  const count = since ? total - from : openItems.length;
  const at = (i) => (since ? from + i : openItems[i]);
  const page = Array.from({ length: Math.max(0, Math.min(limit, count - offset)) }, (_, i) => at(offset + i));
  const link = (to) => `http://${req.headers.host}${url.pathname}?${new URLSearchParams({ query, offset: String(to), limit: String(limit), sort: 'createdAt', order: 'asc' })}`;
  const next = offset + limit < count ? link(offset + limit) : undefined;
  send(
    200,
    {
      data: page.map((n) => (kind === 'alerts' ? alert(n, false) : incident(n))),
      paging: { ...(next ? { next } : {}), first: link(0), last: link(Math.max(0, count - limit)) },
      ...(kind === 'incidents' ? { totalCount: count } : {}),
    },
    next ? { 'X-Paging-Next': next } : {},
  );
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const dir = mkdtempSync(join(tmpdir(), 'dora-bench-opsgenie-'));
const store = await openStore({ home: join(dir, 'store') });
const log = createLogger({ out: () => undefined, err: (text) => process.stderr.write(text), interactive: false });
const run = async (kind, clock) => {
  requests = 0;
  const started = performance.now();
  const summary = await runCollector(store.client, createOpsgenieCollector({ now: () => clock }), {
    agent: Config.parse({ services: { checkout: { opsgenie: ['service-0'] } } }),
    section: { kind, priorities: ['P1', 'P2', 'P3', 'P4'], since: new Date(start).toISOString() },
    log,
    env: { OPSGENIE_API_KEY: key, OPSGENIE_API_URL: `http://127.0.0.1:${server.address().port}` },
  });
  return { written: summary.events.incident, requests, seconds: (performance.now() - started) / 1000 };
};
// What a user finds in the store: incidents of this kind, and those left out by priority (P5).
const stored = async (kind) => {
  const result = await store.client.query({
    query: `SELECT count() AS incidents, countIf(extra['ignored'] != '') AS ignored FROM incidents FINAL
            WHERE source = 'opsgenie' AND startsWith(id, {prefix:String})`,
    query_params: { prefix: kind === 'alerts' ? `opsgenie:${prefix.alerts}` : `opsgenie:incident:${prefix.incidents}` },
    format: 'JSONEachRow',
  });
  const [row] = await result.json();
  return { incidents: Number(row.incidents), ignored: Number(row.ignored) };
};

const lines = [];
for (const kind of ['alerts', 'incidents']) {
  const first = await run(kind, now);
  const inStore = await stored(kind);
  const second = await run(kind, now + 3_600_000);
  lines.push(
    {
      name: `opsgenie ${kind} first run`, items: total, events: first.written, stored: inStore.incidents, ignored: inStore.ignored,
      requests: first.requests, requests_per_100: Number(((first.requests / total) * 100).toFixed(2)),
      seconds: Number(first.seconds.toFixed(2)), events_per_s: Math.round(total / first.seconds),
    },
    { name: `opsgenie ${kind} next run`, events: second.written, requests: second.requests, seconds: Number(second.seconds.toFixed(2)) },
  );
}
await store.close();
server.close();
rmSync(dir, { recursive: true, force: true });

// Both kinds ran in this process: the peak is the larger of the two runs.
const peak = Math.round(process.resourceUsage().maxRSS / 1024);
for (const line of lines) console.log(JSON.stringify(line.name.endsWith('first run') ? { ...line, peak_rss_mb: peak } : line));
