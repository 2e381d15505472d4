// The PagerDuty collector over 50,000 incidents (BENCH_PAGERDUTY_INCIDENTS) in 180 days, served by a local
// REST API v2 in pages of 100 (offset / more; offset + limit at most 10,000, as PagerDuty): a first run,
// then a second run an hour later with nothing new: the 100 incidents still open are found in one listing
// of open incidents (`date_range=all`, `statuses[]`) instead of one request each.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPagerDutyCollector } from '../../dist/collectors/pagerduty/index.js';
import { runCollector } from '../../dist/collectors/runner.js';
import { Config } from '../../dist/config/schema.js';
import { createLogger } from '../../dist/log.js';
import { openStore } from '../../dist/store/connect.js';

const total = Number(process.env.BENCH_PAGERDUTY_INCIDENTS ?? 50_000);
const start = Date.UTC(2026, 0, 1);
const now = start + 180 * 86_400_000;
const step = (now - start - 3_600_000) / total;
const services = Array.from({ length: 20 }, (_, n) => ({ id: `PSVC${String(n).padStart(3, '0')}`, type: 'service_reference', summary: `service-${n}` }));
// One in 500 still open; one in 4 low urgency.
const incidents = Array.from({ length: total }, (_, n) => {
  const created = start + Math.floor(n * step);
  const open = n % 500 === 0;
  return {
    id: `Q${String(n).padStart(7, '0')}`, type: 'incident', incident_number: n + 1, title: `incident ${n}`, status: open ? 'triggered' : 'resolved',
    urgency: n % 4 === 0 ? 'low' : 'high', created_at: new Date(created).toISOString(), resolved_at: open ? null : new Date(created + 1_800_000).toISOString(),
    last_status_change_at: new Date(created + (open ? 0 : 1_800_000)).toISOString(), html_url: `https://acme.pagerduty.com/incidents/Q${n}`,
    service: services[n % services.length], priority: null, first_trigger_log_entry: { channel: { type: 'api', details: { release: `v${n % 900}` } } },
  };
});

let requests = 0;
const server = createServer((req, res) => {
  requests++;
  const url = new URL(req.url, 'http://localhost');
  const send = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const one = /^\/incidents\/(.+)$/.exec(url.pathname);
  if (one) return send(200, { incident: incidents.find((incident) => incident.id === one[1]) });
  if (url.pathname !== '/incidents') return send(404, { error: { message: 'Not Found' } });
  const since = url.searchParams.get('since');
  const until = url.searchParams.get('until');
  const offset = Number(url.searchParams.get('offset'));
  const limit = Number(url.searchParams.get('limit'));
  if (offset + limit > 10_000) return send(400, { error: { message: 'Offset must be less than 10000' } });
  if (url.searchParams.get('date_range') === 'all') {
    const statuses = url.searchParams.getAll('statuses[]');
    const matching = incidents.filter((incident) => statuses.includes(incident.status));
    return send(200, { incidents: matching.slice(offset, offset + limit), limit, offset, more: offset + limit < matching.length, total: null });
  }
  // Incidents are in creation order: binary search the window.
  const first = (time) => {
    let low = 0;
    let high = incidents.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (incidents[middle].created_at < time) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const from = first(since);
  const to = first(until);
  const page = incidents.slice(from + offset, Math.min(to, from + offset + limit));
  send(200, { incidents: page, limit, offset, more: from + offset + limit < to, total: null });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const dir = mkdtempSync(join(tmpdir(), 'dora-bench-pagerduty-'));
const store = await openStore({ home: join(dir, 'store') });
const log = createLogger({ out: () => undefined, err: (text) => process.stderr.write(text), interactive: false });
const run = async (clock) => {
  requests = 0;
  const started = performance.now();
  const summary = await runCollector(store.client, createPagerDutyCollector({ now: () => clock }), {
    agent: Config.parse({ services: { checkout: { pagerduty: ['PSVC000'] } } }),
    section: { urgencies: ['high'], since: new Date(start).toISOString() },
    log,
    env: { PAGERDUTY_TOKEN: 'bench-token', PAGERDUTY_API_URL: `http://127.0.0.1:${server.address().port}` },
  });
  return { summary, requests, seconds: (performance.now() - started) / 1000 };
};
const first = await run(now);
const second = await run(now + 3_600_000);
await store.close();
server.close();
rmSync(dir, { recursive: true, force: true });

const peak = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ name: 'pagerduty first run', incidents: total, written: first.summary.events.incident, requests: first.requests, seconds: Number(first.seconds.toFixed(2)), incidents_per_s: Math.round(total / first.seconds), peak_rss_mb: peak }));
console.log(JSON.stringify({ name: 'pagerduty next run', written: second.summary.events.incident, requests: second.requests, seconds: Number(second.seconds.toFixed(2)) }));
