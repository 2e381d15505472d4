import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { deriveMetrics } from '../src/derive/index.js';
import { buildReport } from '../src/reports/index.js';
import { deployment, incident, load } from './fixtures/report/events.js';
import { queryRows, tempStore } from './helpers/store.js';

// pay's incident names cart's deployment cart-1 before cart-1 reaches the store (the incident
// tool was collected first). When cart-1 arrives, the incident's own row must move to it: pay's
// derivation depends on the deployments its incidents name, not only on its own rows.
// Window: [2026-03-01, 2026-03-08).
const since = new Date('2026-03-01T00:00:00Z');
const until = new Date('2026-03-08T00:00:00Z');
const config = Config.parse({});
let store: Awaited<ReturnType<typeof tempStore>>;

const link = async () =>
  (await queryRows(store.client, `SELECT deployment_id, deployment_service, link_method, link_reason FROM current_incidents WHERE id = 'I-PAY'`))[0];

beforeAll(async () => {
  store = await tempStore();
  await load(store.client, [
    deployment('pay-1', 'pay', '2026-03-01T09:00:00Z'),
    incident('I-PAY', 'pay', '2026-03-04T10:00:00Z', { resolved: '2026-03-04T10:30:00Z', deployment: 'cart-1' }),
  ]);
});
afterAll(() => store.dispose());

describe('an incident naming a deployment that arrives later', () => {
  it('links it once the deployment is in the store, and counts it against that deployment', async () => {
    await buildReport(store.client, { since, until, config });
    // Named but unknown: no link yet (the window rule is not used for a named deployment).
    expect(await link()).toMatchObject({ deployment_id: '', link_method: 'none' });
    expect((await link())?.link_reason).toContain('it names cart-1, which is not a successful production deployment');

    await load(store.client, [deployment('cart-1', 'cart', '2026-03-02T10:00:00Z')]);
    const summary = await deriveMetrics(store.client, { config });
    // pay is derived again because of cart-1 alone: its own rows did not change.
    expect(summary.derived).toEqual(['cart', 'pay']);
    expect(await link()).toMatchObject({ deployment_id: 'cart-1', deployment_service: 'cart', link_method: 'explicit' });
    const report = await buildReport(store.client, { since, until, config });
    expect(report.services.cart!.change_failure_rate).toMatchObject({ failed: 1, deployments: 1, rate: 1 });
    // pay's incident is still pay's: 1 incident, restored in 30 min.
    expect(report.services.pay!.time_to_restore).toMatchObject({ incidents: 1, resolved: 1, median_seconds: 1800 });
  });
});
