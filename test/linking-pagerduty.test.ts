import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpsgenie, type FakeOpsgenie } from './fakes/opsgenie/server.js';
import { startFakePagerDuty, type FakeIncident, type FakePagerDuty } from './fakes/pagerduty/server.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/**
 * Honest incident ↔ deployment links, end to end through the real program: incidents
 * collected from a local PagerDuty and Opsgenie, deployments of a Heroku app imported,
 * `dora link`, and `dora report --explain change_failure_rate`.
 */

const TOKEN = 'pd-linking-token-1234';
const KEY = 'og-linking-key-5678';
const tmp = tempDir();
const home = join(tmp.dir, 'store');
const configPath = join(tmp.dir, 'dora.config.json');
const dora = (...args: string[]) => runCli(['--home', home, '--config', configPath, ...args]);
const saved = Object.fromEntries(['PAGERDUTY_TOKEN', 'PAGERDUTY_API_URL', 'OPSGENIE_API_KEY', 'OPSGENIE_API_URL'].map((name) => [name, process.env[name]]));

const sha = (n: number) => createHash('sha1').update(`commit ${n}`).digest('hex');
const shop = { id: 'PSHOP01', name: 'Shop Checkout' };
const legacy = { id: 'PLEG001', name: 'legacy-billing' };

// Six production releases of shop-prod, a day apart (v45 two hours later in its day), each on the next commit.
const releases = [
  ['v40', '2026-03-01T10:00:00Z'],
  ['v41', '2026-03-02T10:00:00Z'],
  ['v42', '2026-03-03T10:00:00Z'],
  ['v43', '2026-03-04T10:00:00Z'],
  ['v44', '2026-03-05T10:00:00Z'],
  ['v45', '2026-03-06T12:00:00Z'],
] as const;

const incidents: FakeIncident[] = [
  // Names v41's commit (short SHA in the alert's custom details), opened 2 h after v42 went out: the window would blame v42.
  { id: 'QSHA', number: 1, title: 'payment errors', service: shop, created_at: '2026-03-03T12:00:00Z', status: 'resolved', resolved_at: '2026-03-03T13:00:00Z', urgency: 'high', details: { commit: sha(2).slice(0, 7) } },
  // 2 h after v43: the window would blame v43; a person knows it was v42's migration (dora link below).
  { id: 'QMAN', number: 2, title: 'cache stampede', service: shop, created_at: '2026-03-04T12:00:00Z', status: 'resolved', resolved_at: '2026-03-04T12:30:00Z', urgency: 'high' },
  // Names the Heroku release v44, opened 90 min after v45 went out.
  { id: 'QVER', number: 3, title: 'checkout 500s since v44', service: shop, created_at: '2026-03-06T13:30:00Z', status: 'resolved', resolved_at: '2026-03-06T14:00:00Z', urgency: 'high' },
  // Low urgency, an hour after v45: stored, ignored.
  { id: 'QLOW', number: 4, title: 'disk at 80%', service: shop, created_at: '2026-03-06T13:00:00Z', status: 'resolved', resolved_at: '2026-03-06T15:00:00Z', urgency: 'low' },
  // 30 h after v45, the last deployment: not linked.
  { id: 'Q30H', number: 5, title: 'slow search', service: shop, created_at: '2026-03-07T18:00:00Z', status: 'resolved', resolved_at: '2026-03-07T19:00:00Z', urgency: 'high' },
  // A PagerDuty service no catalog entry lists.
  { id: 'QUNM', number: 6, title: 'invoice run late', service: legacy, created_at: '2026-03-02T03:00:00Z', status: 'resolved', resolved_at: '2026-03-02T04:00:00Z', urgency: 'high' },
];

let pagerduty: FakePagerDuty;
let opsgenie: FakeOpsgenie;

beforeAll(async () => {
  pagerduty = await startFakePagerDuty({ token: TOKEN, incidents });
  opsgenie = await startFakeOpsgenie({
    key: KEY,
    // Names release v43 in its details, 30 min after QMAN opened.
    alerts: [{ id: 'og-1', tinyId: '1', message: 'checkout latency', status: 'closed', createdAt: '2026-03-04T12:30:00Z', closeTime: 20 * 60_000, priority: 'P2', details: { service: 'shop', release: 'v43' } }],
  });
  Object.assign(process.env, { PAGERDUTY_TOKEN: TOKEN, PAGERDUTY_API_URL: pagerduty.url, OPSGENIE_API_KEY: KEY, OPSGENIE_API_URL: opsgenie.url });
  writeFileSync(
    configPath,
    JSON.stringify({
      services: { shop: { repos: ['acme/shop'], heroku: ['shop-prod'], pagerduty: ['PSHOP01'], opsgenie: ['shop'], team: 'payments' } },
      sources: { pagerduty: { urgencies: ['high'], since: '2026-02-25' }, opsgenie: { since: '2026-02-25' } },
    }),
  );
  const commits = [1, 2, 3, 4, 5, 6].map((n) => ({ kind: 'commit', repo: 'acme/shop', sha: sha(n), parents: n > 1 ? [sha(n - 1)] : [], authored_at: `2026-02-2${n}T09:00:00Z`, message: `change ${n}` }));
  const deployments = releases.map(([version, finished], index) => ({
    kind: 'deployment', id: `heroku:shop-prod:${version}`, service: 'shop', environment: 'production', status: 'success',
    finished_at: finished, source: 'heroku', repo: 'acme/shop', sha: sha(index + 1), version,
  }));
  const file = join(tmp.dir, 'events.ndjson');
  writeFileSync(file, [...commits, ...deployments].map((event) => JSON.stringify(event)).join('\n'));
  expect((await dora('import', file)).code).toEqual(0);
});

afterAll(async () => {
  await pagerduty.close();
  await opsgenie.close();
  tmp.remove();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const march = ['--since', '2026-03-01', '--until', '2026-03-08'];
const explainCfr = async () => (await dora('report', ...march, '--service', 'shop', '--explain', 'change_failure_rate', '--format', 'json')).json();
const incidentLinks = async () =>
  Object.fromEntries(
    (await dora('report', ...march, '--service', 'shop', '--explain', 'time_to_restore', '--format', 'json')).json().rows.map((row: { item: string; reason: string }) => [row.item, row.reason]),
  );

describe('layered incident links', () => {
  it('collects both sources, then links each incident by what it names, a person\'s word, or the window', async () => {
    expect((await dora('collect', 'pagerduty')).code).toEqual(0);
    expect((await dora('collect', 'opsgenie')).code).toEqual(0);
    const link = await dora('link', 'pagerduty:QMAN', 'heroku:shop-prod:v42', '--note', 'v42 migration dropped the cache index');
    expect(link.code).toEqual(0);

    const cfr = await explainCfr();
    // Six production deployments; failed: v41 (SHA), v42 (manual), v43 (Opsgenie names it), v44 (version): 4/6.
    expect(cfr.summary).toEqual('4 failed of 6 production deployments');
    const user = (await import('node:os')).userInfo().username;
    expect(cfr.rows.map((row: { item: string; counted: string; reason: string }) => [row.item, row.counted, row.reason])).toEqual([
      ['heroku:shop-prod:v40', 'ok', 'no incident attributed, not rolled back'],
      ['heroku:shop-prod:v41', 'failed', `incident pagerduty:QSHA (SHA link: it names commit ${sha(2).slice(0, 7)})`],
      ['heroku:shop-prod:v42', 'failed', `incident pagerduty:QMAN (manual link by ${user}: v42 migration dropped the cache index)`],
      ['heroku:shop-prod:v43', 'failed', 'incident opsgenie:og-1 (release version link: it names release v43)'],
      ['heroku:shop-prod:v44', 'failed', 'incident pagerduty:QVER (release version link: it names release v44)'],
      // QLOW (low urgency) is not counted; QVER names v44; Q30H is 30 h later.
      ['heroku:shop-prod:v45', 'ok', 'no incident attributed, not rolled back'],
    ]);
    const report = (await dora('report', ...march, '--service', 'shop', '--format', 'json')).json();
    // 6 deployments is enough for a tier: 67 % is above 15 %, low.
    expect(report.services.shop.change_failure_rate).toEqual({ failed: 4, deployments: 6, rate: 4 / 6, tier: 'low' });
    // Restore: QSHA 60, QMAN 30, og-1 20, QVER 30, Q30H 60 min (QLOW left out): sorted 20 30 30 60 60, median 30 min.
    expect(report.services.shop.time_to_restore).toMatchObject({ incidents: 5, resolved: 5, median_seconds: 30 * 60 });

    const reasons = await incidentLinks();
    expect(reasons['pagerduty:Q30H']).toEqual('resolved 2026-03-07T19:00:00.000Z; none link: not attributed: the latest production deployment of shop, heroku:shop-prod:v45, finished 30 h before it opened (window 24 h)');
    expect(reasons['pagerduty:QLOW']).toEqual(undefined);
  });

  it('keeps the manual link when the incidents are collected again', async () => {
    // An earlier `since` backfills: every incident is read and written again.
    pagerduty.requests.length = 0;
    expect((await dora('collect', 'pagerduty', '--since', '2026-02-20')).code).toEqual(0);
    expect(pagerduty.requests.some((request) => request.query.get('since') === '2026-02-20T00:00:00.000Z')).toEqual(true);
    const rows = (await explainCfr()).rows.map((row: { item: string; counted: string }) => [row.item, row.counted]);
    expect(rows[2]).toEqual(['heroku:shop-prod:v42', 'failed']);
    expect((await incidentLinks())['pagerduty:QMAN']).toMatch(/^resolved 2026-03-04T12:30:00.000Z; manual link: linked manually by .*: v42 migration dropped the cache index to heroku:shop-prod:v42$/);
  });

  it('unlink says no deployment caused it; --reset hands it back to automatic linking (the window: v43)', async () => {
    expect((await dora('unlink', 'pagerduty:QMAN', '--note', 'upstream outage')).code).toEqual(0);
    let rows = (await explainCfr()).rows.map((row: { item: string; counted: string }) => [row.item, row.counted]);
    expect(rows[2]).toEqual(['heroku:shop-prod:v42', 'ok']);
    expect((await incidentLinks())['pagerduty:QMAN']).toMatch(/manual link: unlinked manually by .*: upstream outage; no deployment caused it$/);

    expect((await dora('unlink', 'pagerduty:QMAN', '--reset')).code).toEqual(0);
    rows = (await explainCfr()).rows.map((row: { item: string; counted: string; reason: string }) => [row.item, row.counted, row.reason]);
    expect(rows[3]).toEqual(['heroku:shop-prod:v43', 'failed', 'incident pagerduty:QMAN (window link: opened 2 h after it, within 24 h); incident opsgenie:og-1 (release version link: it names release v43)']);
    const list = (await dora('link', '--list', '--format', 'json')).json();
    expect(list.overrides).toEqual([]);
  });

  it('names what it does not know', async () => {
    const result = await dora('link', 'QMAN', 'heroku:shop-prod:v42');
    expect(result.code).toEqual(2);
    expect(result.stderr).toEqual('error: no incident "QMAN" in the store\n  hint: did you mean pagerduty:QMAN?\n');
    const missing = await dora('link', 'pagerduty:QMAN', 'heroku:shop-prod:v99');
    expect(missing.code).toEqual(2);
    expect(missing.stderr).toEqual('error: no deployment "heroku:shop-prod:v99" in the store\n  hint: ids are stored with their source prefix (pagerduty:Q1ABC, heroku:shop-prod:v42); `dora doctor` lists what the store holds\n');
  });

  it('dora doctor lists the incidents on unmapped services and the ones the severity filter ignored', async () => {
    // A deployment of a service the catalog does not name, from any source, is listed too.
    expect((await dora('record', 'deployment', '--service', 'search', '--id', 'search-1', '--finished-at', '2026-03-02T00:00:00Z')).code).toEqual(0);
    const doctor = (await dora('doctor', '--format', 'json')).json();
    expect(doctor.incident_sources).toEqual({
      // legacy-billing's incident is listed once, as unmapped, not again here.
      outside_catalog: [{ kind: 'deployment', source: 'record', service: 'search', rows: 1 }],
      unmapped: [{ source: 'pagerduty', service: 'legacy-billing', source_service: 'PLEG001 legacy-billing', incidents: 1 }],
      ignored: [{ source: 'pagerduty', reason: 'urgency low is not in sources.pagerduty.urgencies (high)', incidents: 1 }],
    });
    const text = await dora('doctor');
    expect(text.stdout).toContain('incidents on services in no catalog entry (kept under the source\'s name; add them to "services"):\n');
    expect(text.stdout).toMatch(/pagerduty\s+legacy-billing\s+PLEG001 legacy-billing\s+1/);
    expect(text.stdout).toMatch(/services in no catalog entry \(named after their source; add them to "services" to set their team and links\):\nkind\s+source\s+service\s+rows\ndeployment\s+record\s+search\s+1\n/);
    expect(text.stdout).toMatch(/pagerduty\s+urgency low is not in sources.pagerduty.urgencies \(high\)\s+1/);
  });
});
