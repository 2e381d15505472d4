import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { SourceAuthError, SourceUnavailableError } from '../src/errors.js';
import { readCursor } from '../src/store/writer.js';
import { startFakePagerDuty, type FakeIncident, type FakePagerDuty } from './fakes/pagerduty/server.js';
import { incidentRows, pagerdutyRunner } from './fakes/pagerduty/harness.js';
import { tempStore } from './helpers/store.js';

const TOKEN = 'pd-token-u+secret';
const checkout = { id: 'PCHK001', name: 'checkout' };
const gateway = { id: 'PAPI001', name: 'api-gateway' };
const legacy = { id: 'PLEG001', name: 'legacy-billing' };

// The catalog names checkout's PagerDuty service by id and the gateway by name; legacy-billing is in no entry.
const agent = Config.parse({
  services: {
    checkout: { repos: ['acme/checkout'], pagerduty: ['PCHK001'], team: 'payments' },
    api: { repos: ['acme/api'], pagerduty: ['API-Gateway'] },
  },
});

const incidents = (): FakeIncident[] => [
  { id: 'Q1', number: 1, title: 'checkout 5xx', service: checkout, created_at: '2026-03-01T10:00:00Z', status: 'resolved', resolved_at: '2026-03-01T10:45:00Z', urgency: 'high', priority: 'P2', details: { release: 'v42' } },
  { id: 'Q2', number: 2, title: 'gateway latency', service: gateway, created_at: '2026-03-02T08:00:00Z', status: 'resolved', resolved_at: '2026-03-02T09:30:00Z', urgency: 'high' },
  { id: 'Q3', number: 3, title: 'billing batch stuck', service: legacy, created_at: '2026-03-03T06:00:00Z', status: 'resolved', resolved_at: '2026-03-03T12:00:00Z', urgency: 'high' },
  { id: 'Q4', number: 4, title: 'disk 80%', service: checkout, created_at: '2026-03-04T01:00:00Z', status: 'resolved', resolved_at: '2026-03-04T02:00:00Z', urgency: 'low', priority: 'P5' },
  { id: 'Q5', number: 5, title: 'checkout timeouts', service: checkout, created_at: '2026-03-05T12:00:00Z', status: 'triggered', urgency: 'high', priority: 'P1' },
  { id: 'Q6', number: 6, title: 'cart errors', service: checkout, created_at: '2026-03-06T15:00:00Z', status: 'resolved', resolved_at: '2026-03-06T15:20:00Z', urgency: 'high', omitResolvedAt: true },
];

let store: Awaited<ReturnType<typeof tempStore>>;
let fake: FakePagerDuty;
beforeAll(async () => {
  store = await tempStore();
  fake = await startFakePagerDuty({ token: TOKEN, incidents: incidents() });
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

const incidentRequests = () =>
  fake.requests.map((request) => {
    if (request.path !== '/incidents') return request.path;
    const window = request.query.get('date_range') === 'all' ? `all ${request.query.getAll('statuses[]').join('+')}` : request.query.get('since');
    return `${request.path} ${window} ${request.query.get('offset')}`;
  });

describe('dora collect pagerduty against a local PagerDuty', () => {
  it('pages through three pages, waits out a 429 for its Retry-After, maps services through the catalog and marks what the filter ignores', async () => {
    const { run, waits } = pagerdutyRunner(store.client, agent, TOKEN, { pageSize: 2, now: () => Date.parse('2026-03-10T00:00:00Z') });
    fake.script({ match: /^\/incidents$/, status: 429, headers: { 'Retry-After': '7' } });
    const { summary, stderr } = await run({ since: '2026-02-20', urgencies: ['high'] }, fake.url);

    // 6 incidents, 2 a page: offsets 0 (answered 429, then again), 2, 4.
    expect(incidentRequests()).toEqual(['/incidents 2026-02-20T00:00:00.000Z 0', '/incidents 2026-02-20T00:00:00.000Z 0', '/incidents 2026-02-20T00:00:00.000Z 2', '/incidents 2026-02-20T00:00:00.000Z 4']);
    expect(waits).toEqual([7000]);
    expect(stderr).toContain('pagerduty request failed; retrying (path=/incidents, reason=429, wait_ms=7000, attempt=1)');
    expect(fake.unexpected).toEqual([]);
    expect(summary.events.incident).toEqual(6);

    const rows = await incidentRows(store.client);
    expect(rows.map((row) => [row.id, row.service, row.resolved_at, row.severity, row.unmapped, row.ignored])).toEqual([
      ['pagerduty:Q1', 'checkout', '2026-03-01 10:45:00.000', 'P2', '', ''],
      // Mapped by its name, whatever the case in the catalog.
      ['pagerduty:Q2', 'api', '2026-03-02 09:30:00.000', 'high', '', ''],
      // In no catalog entry: kept under PagerDuty's own service name, marked for `dora doctor`.
      ['pagerduty:Q3', 'legacy-billing', '2026-03-03 12:00:00.000', 'high', 'true', ''],
      // Low urgency: stored, not counted.
      ['pagerduty:Q4', 'checkout', '2026-03-04 02:00:00.000', 'P5', '', 'urgency low is not in sources.pagerduty.urgencies (high)'],
      ['pagerduty:Q5', 'checkout', null, 'P1', '', ''],
      // No resolved_at in the payload: the last status change of a resolved incident.
      ['pagerduty:Q6', 'checkout', '2026-03-06 15:20:00.000', 'high', '', ''],
    ]);
    expect(rows[0]).toMatchObject({ source_service: 'PCHK001 checkout', fields: '{"details":{"release":"v42"}}', url: 'https://acme.pagerduty.com/incidents/Q1', urgency: 'high', priority: 'P2' });
    expect(rows[2]!.source_service).toEqual('PLEG001 legacy-billing');
    expect(JSON.parse((await readCursor(store.client, 'pagerduty', 'incidents'))!)).toEqual({
      start: '2026-02-20T00:00:00.000Z',
      watermark: '2026-03-10T00:00:00.000Z',
      open: ['Q5'],
    });
  });

  it('goes on from the watermark (an hour back) and reads an incident that was open by id to catch its resolution', async () => {
    fake.requests.length = 0;
    const q5 = fake.incidents.find((incident) => incident.id === 'Q5')!;
    q5.status = 'resolved';
    q5.resolved_at = '2026-03-05T13:30:00Z';
    fake.incidents.push({ id: 'Q7', number: 7, title: 'checkout 502s', service: checkout, created_at: '2026-03-11T05:00:00Z', status: 'resolved', resolved_at: '2026-03-11T05:40:00Z', urgency: 'high' });
    const { run } = pagerdutyRunner(store.client, agent, TOKEN, { pageSize: 2, now: () => Date.parse('2026-03-12T00:00:00Z') });
    const { summary } = await run({ since: '2026-02-20', urgencies: ['high'] }, fake.url);

    // watermark 03-10 00:00 minus the hour of overlap; Q5 (created 03-05) is outside it: what is open now is
    // listed once, whatever its date, and Q5, no longer in that list, is read by id.
    expect(incidentRequests()).toEqual(['/incidents 2026-03-09T23:00:00.000Z 0', '/incidents all triggered+acknowledged 0', '/incidents/Q5']);
    expect(summary.events.incident).toEqual(2);
    const rows = await incidentRows(store.client);
    expect(rows.filter((row) => row.id === 'pagerduty:Q5' || row.id === 'pagerduty:Q7').map((row) => [row.id, row.resolved_at])).toEqual([
      ['pagerduty:Q5', '2026-03-05 13:30:00.000'],
      ['pagerduty:Q7', '2026-03-11 05:40:00.000'],
    ]);
    expect(JSON.parse((await readCursor(store.client, 'pagerduty', 'incidents'))!).open).toEqual([]);
  });

  it('an incident still open is found in the one listing of open incidents: no request per incident', async () => {
    fake.incidents.push({ id: 'Q8', number: 8, title: 'queue backlog', service: checkout, created_at: '2026-03-12T02:00:00Z', status: 'acknowledged', urgency: 'high' });
    const later = async (now: string) => {
      fake.requests.length = 0;
      const { run } = pagerdutyRunner(store.client, agent, TOKEN, { now: () => Date.parse(now) });
      await run({ since: '2026-02-20', urgencies: ['high'] }, fake.url);
    };
    await later('2026-03-12T06:00:00Z');
    expect(JSON.parse((await readCursor(store.client, 'pagerduty', 'incidents'))!).open).toEqual(['Q8']);
    // A day later Q8 (opened before the new window) is still open: listed among the open ones, not read by id.
    await later('2026-03-13T06:00:00Z');
    expect(incidentRequests()).toEqual(['/incidents 2026-03-12T05:00:00.000Z 0', '/incidents all triggered+acknowledged 0']);
    expect(JSON.parse((await readCursor(store.client, 'pagerduty', 'incidents'))!).open).toEqual(['Q8']);
  });

  it('backfills when `since` moves earlier than what was read, and re-collecting changes nothing', async () => {
    fake.requests.length = 0;
    fake.incidents.push({ id: 'Q0', number: 100, title: 'old outage', service: checkout, created_at: '2026-02-10T00:00:00Z', status: 'resolved', resolved_at: '2026-02-10T03:00:00Z', urgency: 'high' });
    const { run } = pagerdutyRunner(store.client, agent, TOKEN, { now: () => Date.parse('2026-03-14T00:00:00Z') });
    await run({ since: '2026-02-01', urgencies: ['high'] }, fake.url);
    // One 30-day window from 02-01, then the rest up to now (Q8, still open, is listed in it).
    expect(incidentRequests()).toEqual(['/incidents 2026-02-01T00:00:00.000Z 0', '/incidents 2026-03-03T00:00:00.000Z 0']);
    const rows = await incidentRows(store.client);
    expect(rows.map((row) => row.id)).toEqual(['pagerduty:Q0', 'pagerduty:Q1', 'pagerduty:Q2', 'pagerduty:Q3', 'pagerduty:Q4', 'pagerduty:Q5', 'pagerduty:Q6', 'pagerduty:Q7', 'pagerduty:Q8']);
    expect(JSON.parse((await readCursor(store.client, 'pagerduty', 'incidents'))!).start).toEqual('2026-02-01T00:00:00.000Z');
  });
});

describe('PagerDuty failures', () => {
  it('stops at once without a token, naming the variable', async () => {
    const { run } = pagerdutyRunner(store.client, agent, '');
    const error = await run({}, fake.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toEqual('PAGERDUTY_TOKEN is not set: the PagerDuty collector needs a REST API key');
  });

  it('a refused token stops at once, without retries, and the token is never printed', async () => {
    fake.requests.length = 0;
    const { run, waits } = pagerdutyRunner(store.client, agent, 'wrong-token-123');
    const error = await run({}, fake.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toEqual('PagerDuty refused the token in PAGERDUTY_TOKEN (401 Invalid Token; Invalid Token)');
    expect(fake.requests.length).toEqual(1);
    expect(waits).toEqual([]);
  });

  it('5xx: backs off 1, 2, 4, 8, 16 s and then gives up, keeping what earlier runs stored', async () => {
    const before = (await incidentRows(store.client)).length;
    const { run, waits } = pagerdutyRunner(store.client, agent, TOKEN, { now: () => Date.parse('2026-03-15T00:00:00Z') });
    fake.script(...Array.from({ length: 6 }, () => ({ match: /^\/incidents$/, status: 503 })));
    const error = await run({ since: '2026-02-01' }, fake.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as Error).message).toEqual('PagerDuty answered GET /incidents with 503 after 6 attempts');
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect((await incidentRows(store.client)).length).toEqual(before);
  });
});
