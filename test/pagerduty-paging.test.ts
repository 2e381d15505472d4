import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { startFakePagerDuty, type FakeIncident, type FakePagerDuty } from './fakes/pagerduty/server.js';
import { pagerdutyRunner } from './fakes/pagerduty/harness.js';
import { countFinal, queryRows, tempStore } from './helpers/store.js';

/** PagerDuty's paging limits and bad items: the collector finishes, never loops, loses nothing valid. */

const TOKEN = 'pd-paging-token-42';
const service = { id: 'PBIG001', name: 'big' };
// 10,050 incidents a minute apart, all in one 30-day window.
const many: FakeIncident[] = Array.from({ length: 10_050 }, (_, n) => ({
  id: `Q${String(n).padStart(5, '0')}`,
  number: n + 1,
  title: `incident ${n}`,
  service,
  created_at: new Date(Date.parse('2026-03-01T00:00:00Z') + n * 60_000).toISOString(),
  status: 'resolved',
  resolved_at: new Date(Date.parse('2026-03-01T00:30:00Z') + n * 60_000).toISOString(),
  urgency: 'high',
}));

let store: Awaited<ReturnType<typeof tempStore>>;
let fake: FakePagerDuty;
beforeAll(async () => {
  store = await tempStore();
  fake = await startFakePagerDuty({ token: TOKEN, incidents: many });
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

describe('PagerDuty paging limits', () => {
  it('an incident resolved without resolved_at or last_status_change_at gets its time from the log entries', async () => {
    fake.incidents.push({ id: 'QOLD', number: 20_000, title: 'old payload', service, created_at: '2026-02-20T10:00:00Z', status: 'resolved', resolved_at: '2026-02-20T10:40:00Z', urgency: 'high', omitTimes: true });
    const { run } = pagerdutyRunner(store.client, Config.parse({}), TOKEN, { now: () => Date.parse('2026-02-21T00:00:00Z') });
    await run({ since: '2026-02-19' }, fake.url);
    expect(fake.requests.map((request) => request.path)).toEqual(['/incidents', '/incidents/QOLD/log_entries']);
    expect(await queryRows(store.client, `SELECT resolved_at FROM incidents FINAL WHERE id = 'pagerduty:QOLD'`)).toEqual([{ resolved_at: '2026-02-20 10:40:00.000' }]);
    fake.requests.length = 0;
  });

  it('past offset 10,000 the window restarts at the last incident read, and every incident is stored once', async () => {
    const { run } = pagerdutyRunner(store.client, Config.parse({}), TOKEN, { now: () => Date.parse('2026-03-20T00:00:00Z') });
    const { summary } = await run({ since: '2026-03-01' }, fake.url);
    const lists = fake.requests.filter((request) => request.path === '/incidents');
    // Offsets 0, 100, …, 9,900 (100 pages: offset + limit may reach 10,000, not pass it), then from the
    // 10,000th incident's creation time: offset 0 (Q09999 again, and the 50 after it).
    expect(lists.length).toEqual(101);
    expect(lists.at(-1)!.query.get('since')).toEqual(many[9_999]!.created_at);
    expect(lists.at(-1)!.query.get('offset')).toEqual('0');
    // 10,050 read in the pages plus Q09999 read twice.
    expect(summary.events.incident).toEqual(10_051);
    // and QOLD from the test before.
    expect(await countFinal(store.client, 'incidents')).toEqual(10_051);
  });

  it('a malformed incident is named and skipped; the rest of its page is kept', async () => {
    fake.requests.length = 0;
    fake.script({
      match: /^\/incidents$/,
      status: 200,
      body: {
        incidents: [
          { id: 'QBAD', type: 'incident', status: 'resolved', created_at: 'last tuesday', service: { id: 'PBIG001' } },
          { id: 'QGOOD', type: 'incident', status: 'resolved', created_at: '2026-03-21T10:00:00Z', resolved_at: '2026-03-21T10:05:00Z', urgency: 'high', title: 'fine', service: { id: 'PBIG001', summary: 'big' } },
        ],
        limit: 100,
        offset: 0,
        more: false,
      },
    });
    const { run } = pagerdutyRunner(store.client, Config.parse({}), TOKEN, { now: () => Date.parse('2026-03-22T00:00:00Z') });
    const { stderr } = await run({ since: '2026-03-01' }, fake.url);
    expect(stderr).toContain('warning: pagerduty incident skipped: unexpected payload (incident=QBAD, reason=created_at: expected an ISO-8601 time with a zone)');
    expect(await queryRows(store.client, `SELECT id, service FROM incidents FINAL WHERE id IN ('pagerduty:QBAD', 'pagerduty:QGOOD')`)).toEqual([{ id: 'pagerduty:QGOOD', service: 'big' }]);
  });
});
