import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsgenieCollector } from '../src/collectors/opsgenie/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { SourceAuthError } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { readCursor } from '../src/store/writer.js';
import { startFakeOpsgenie, type FakeOpsgenie } from './fakes/opsgenie/server.js';
import { queryRows, tempStore } from './helpers/store.js';

const KEY = 'genie-key-0000-secret';
const agent = Config.parse({
  services: { checkout: { opsgenie: ['checkout-svc'], team: 'payments' }, api: { opsgenie: ['api'] } },
});
const minutes = 60_000;

let store: Awaited<ReturnType<typeof tempStore>>;
let fake: FakeOpsgenie;
beforeAll(async () => {
  store = await tempStore();
  fake = await startFakeOpsgenie({
    key: KEY,
    alerts: [
      { id: 'a-1', tinyId: '1', message: 'checkout 5xx', status: 'closed', createdAt: '2026-03-01T10:00:00Z', closeTime: 45 * minutes, priority: 'P2', details: { service: 'checkout-svc', release: 'v42' }, description: 'started after the deploy' },
      { id: 'a-2', tinyId: '2', message: 'api latency', status: 'closed', createdAt: '2026-03-02T08:00:00Z', updatedAt: '2026-03-02T09:00:00Z', priority: 'P3', tags: ['service:api'] },
      { id: 'a-3', tinyId: '3', message: 'search cluster red', status: 'open', createdAt: '2026-03-03T06:00:00Z', priority: 'P1', entity: 'search-cluster' },
      { id: 'a-4', tinyId: '4', message: 'api disk 80%', status: 'closed', createdAt: '2026-03-04T01:00:00Z', closeTime: 30 * minutes, priority: 'P5', tags: ['api'] },
    ],
    incidents: [
      { id: 'i-1', tinyId: '11', message: 'checkout down', status: 'resolved', createdAt: '2026-03-05T10:00:00Z', updatedAt: '2026-03-05T11:10:00Z', priority: 'P1', impactedServices: ['checkout-svc'] },
    ],
  });
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

function runner(now: string, key = KEY) {
  const waits: number[] = [];
  const collector = createOpsgenieCollector({ sleep: async (ms) => void waits.push(ms), now: () => Date.parse(now), pageSize: 2 });
  const run = async (section: unknown) => {
    let stderr = '';
    const log = createLogger({ out: () => undefined, err: (text) => void (stderr += text), interactive: false });
    const summary = await runCollector(store.client, collector, { agent, section, log, env: { OPSGENIE_API_KEY: key, OPSGENIE_API_URL: fake.url } });
    return { summary, stderr };
  };
  return { run, waits };
}

const rows = () =>
  queryRows<Record<string, string | null>>(
    store.client,
    `SELECT id, service, resolved_at, severity, extra['unmapped'] AS unmapped, extra['ignored'] AS ignored, extra['fields'] AS fields, extra['description'] AS description
     FROM incidents FINAL WHERE source = 'opsgenie' ORDER BY opened_at, id`,
  );
const listRequests = () => fake.requests.map((request) => (request.query.has('offset') ? `${request.path} ${request.query.get('query')} ${request.query.get('offset')}` : request.path));

describe('dora collect opsgenie against a local Opsgenie', () => {
  it('pages alerts two at a time, waits out a 429, reads each alert for its details, maps them through the catalog', async () => {
    fake.script({ match: /^\/v2\/alerts$/, status: 429, headers: { 'Retry-After': '3' } });
    const { run, waits } = runner('2026-03-10T00:00:00Z');
    const { summary } = await run({ since: '2026-02-20', priorities: ['P1', 'P2', 'P3', 'P4'] });
    const from = Date.parse('2026-02-20T00:00:00Z');
    expect(listRequests()).toEqual([
      `/v2/alerts createdAt>=${from} 0`,
      `/v2/alerts createdAt>=${from} 0`,
      '/v2/alerts/a-1',
      '/v2/alerts/a-2',
      `/v2/alerts createdAt>=${from} 2`,
      '/v2/alerts/a-3',
      '/v2/alerts/a-4',
    ]);
    expect(waits).toEqual([3000]);
    expect(fake.unexpected).toEqual([]);
    expect(summary.events.incident).toEqual(4);
    expect((await rows()).map((row) => [row.id, row.service, row.resolved_at, row.severity, row.unmapped, row.ignored])).toEqual([
      // details.service names the catalog's Opsgenie name; closed 45 min after it opened (report.closeTime).
      ['opsgenie:a-1', 'checkout', '2026-03-01 10:45:00.000', 'P2', '', ''],
      // a service:NAME tag; no closeTime: its last update.
      ['opsgenie:a-2', 'api', '2026-03-02 09:00:00.000', 'P3', '', ''],
      // only an entity no catalog entry names: kept under that name, marked unmapped.
      ['opsgenie:a-3', 'search-cluster', null, 'P1', 'true', ''],
      ['opsgenie:a-4', 'api', '2026-03-04 01:30:00.000', 'P5', '', 'priority P5 is not in sources.opsgenie.priorities (P1, P2, P3, P4)'],
    ]);
    const first = (await rows())[0]!;
    expect([first.fields, first.description]).toEqual(['{"service":"checkout-svc","release":"v42"}', 'started after the deploy']);
  });

  it('next run: from the watermark an hour back, and the alert left open read by id', async () => {
    fake.requests.length = 0;
    const alert = fake.alerts.find((candidate) => candidate.id === 'a-3')!;
    alert.status = 'closed';
    alert.closeTime = 90 * minutes;
    const { run } = runner('2026-03-12T00:00:00Z');
    await run({ since: '2026-02-20', priorities: ['P1', 'P2', 'P3', 'P4'] });
    // a-3 is not among the open alerts any more: read by id for its close.
    expect(listRequests()).toEqual([`/v2/alerts createdAt>=${Date.parse('2026-03-09T23:00:00Z')} 0`, '/v2/alerts status:open 0', '/v2/alerts/a-3']);
    expect((await rows()).find((row) => row.id === 'opsgenie:a-3')!.resolved_at).toEqual('2026-03-03 07:30:00.000');
    expect(JSON.parse((await readCursor(store.client, 'opsgenie', 'alerts'))!).open).toEqual([]);
  });

  it('reads Incident Management incidents with --kind incidents, mapped by impacted service', async () => {
    fake.requests.length = 0;
    const { run } = runner('2026-03-10T00:00:00Z');
    await run({ kind: 'incidents', since: '2026-03-01' });
    expect(listRequests()).toEqual([`/v1/incidents createdAt>=${Date.parse('2026-03-01T00:00:00Z')} 0`]);
    expect((await rows()).filter((row) => row.id!.startsWith('opsgenie:incident:')).map((row) => [row.id, row.service, row.resolved_at])).toEqual([
      ['opsgenie:incident:i-1', 'checkout', '2026-03-05 11:10:00.000'],
    ]);
  });

  it('a refused key stops at once and is never printed', async () => {
    const { run, waits } = runner('2026-03-10T00:00:00Z', 'not-the-key-1234');
    const error = await run({ since: '2026-03-01' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toEqual('Opsgenie refused the key in OPSGENIE_API_KEY (401 Could not authenticate)');
    expect(waits).toEqual([]);
  });
});
