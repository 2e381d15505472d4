import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIncident, unlinkIncident } from '../src/catalog/overrides.js';
import { Config } from '../src/config/schema.js';
import { buildReport } from '../src/reports/index.js';
import { commit, deployment, incident, load, sha, type Raw } from './fixtures/report/events.js';
import { queryRows, tempStore } from './helpers/store.js';

// Incident → deployment links in layers: a person's decision, a named deployment, a named release
// version, a named commit, a rollback around it, the 24 h window, none. Window: [2026-03-01, 2026-03-08).
const since = new Date('2026-03-01T00:00:00Z');
const until = new Date('2026-03-08T00:00:00Z');
const config = Config.parse({});
let store: Awaited<ReturnType<typeof tempStore>>;

const events: Raw[] = [
  // ver: the incident opened an hour after ver-2 but names release v1.
  { ...deployment('ver-1', 'ver', '2026-03-02T10:00:00Z'), version: 'v1' },
  { ...deployment('ver-2', 'ver', '2026-03-03T10:00:00Z'), version: 'v2' },
  { ...incident('I-VER', 'ver', '2026-03-03T11:00:00Z', { resolved: '2026-03-03T12:00:00Z' }), title: 'errors since v1 (not v12)' },
  // sha: the incident names c1's commit in extra.sha (8 characters): s-1 first shipped it.
  commit('acme/sha', 'b0', [], '2026-02-01T09:00:00Z'),
  commit('acme/sha', 'c1', ['b0'], '2026-03-01T09:00:00Z'),
  commit('acme/sha', 'c2', ['c1'], '2026-03-02T09:00:00Z'),
  deployment('s-0', 'sha', '2026-02-20T10:00:00Z', { repo: 'acme/sha', commit: 'b0' }),
  deployment('s-1', 'sha', '2026-03-02T10:00:00Z', { repo: 'acme/sha', commit: 'c1' }),
  deployment('s-2', 'sha', '2026-03-03T10:00:00Z', { repo: 'acme/sha', commit: 'c2' }),
  { ...incident('I-SHA', 'sha', '2026-03-03T12:00:00Z', { resolved: '2026-03-03T13:00:00Z' }), sha: sha('acme/sha', 'c1').slice(0, 8) },
  // man: the window would blame man-2; a person links it to man-1.
  deployment('man-1', 'man', '2026-03-02T10:00:00Z'),
  deployment('man-2', 'man', '2026-03-03T10:00:00Z'),
  incident('I-MAN', 'man', '2026-03-03T16:00:00Z', { resolved: '2026-03-03T17:00:00Z' }),
  // ign: a low-urgency page a severity filter left out is not an incident for DORA.
  deployment('ign-1', 'ign', '2026-03-02T10:00:00Z'),
  { ...incident('I-LOW', 'ign', '2026-03-02T11:00:00Z', { resolved: '2026-03-02T12:00:00Z' }), ignored: 'urgency low is not in sources.pagerduty.urgencies (high)' },
  // pay's incident names cart's deployment.
  deployment('cart-1', 'cart', '2026-03-02T10:00:00Z'),
  incident('I-PAY', 'pay', '2026-03-04T10:00:00Z', { resolved: '2026-03-04T10:30:00Z', deployment: 'cart-1' }),
  // win: 6 h after the deployment.
  deployment('win-1', 'win', '2026-03-02T10:00:00Z'),
  incident('I-WIN', 'win', '2026-03-02T16:00:00Z', { resolved: '2026-03-02T17:00:00Z' }),
];

beforeAll(async () => {
  store = await tempStore();
  await load(store.client, events);
});
afterAll(async () => store?.dispose());

const report = (services: string[]) => buildReport(store.client, { since, until, config, services });
const link = async (id: string) =>
  (await queryRows(store.client, `SELECT deployment_id, deployment_service, link_method, link_confidence, link_reason FROM current_incidents WHERE id = {id:String}`, { id }))[0];
const failed = async (service: string) =>
  (await queryRows<{ id: string; failure_reasons: string[] }>(store.client, `SELECT id, failure_reasons FROM current_deployments WHERE service = {service:String} AND failed = 1 ORDER BY id`, { service }));

describe('incident links', () => {
  it('a release version named in the incident beats the window', async () => {
    expect((await report(['ver'])).services.ver!.change_failure_rate).toEqual({ failed: 1, deployments: 2, rate: 1 / 2, tier: null });
    expect(await failed('ver')).toEqual([{ id: 'ver-1', failure_reasons: ['incident I-VER (release version link: it names release v1)'] }]);
    expect(await link('I-VER')).toEqual({ deployment_id: 'ver-1', deployment_service: 'ver', link_method: 'version', link_confidence: 1, link_reason: 'it names release v1: ver-1' });
  });

  it('a commit named in the incident is blamed on the deployment that first shipped it', async () => {
    await report(['sha']);
    const prefix = sha('acme/sha', 'c1').slice(0, 7);
    expect(await failed('sha')).toEqual([{ id: 's-1', failure_reasons: [`incident I-SHA (SHA link: it names commit ${prefix})`] }]);
    expect(await link('I-SHA')).toMatchObject({ deployment_id: 's-1', link_method: 'sha', link_reason: `it names commit ${prefix}, first shipped by s-1` });
  });

  it("a person's link beats every rule, survives until undone, and unlink then reset hand it back", async () => {
    await report(['man']);
    expect(await link('I-MAN')).toMatchObject({ deployment_id: 'man-2', link_method: 'window' });
    await linkIncident(store.client, 'I-MAN', 'man-1', { note: 'the migration of man-1', author: 'ana' });
    expect((await report(['man'])).services.man!.change_failure_rate.failed).toEqual(1);
    expect(await failed('man')).toEqual([{ id: 'man-1', failure_reasons: ['incident I-MAN (manual link by ana: the migration of man-1)'] }]);
    expect(await link('I-MAN')).toMatchObject({ link_method: 'manual', link_confidence: 1, link_reason: 'linked manually by ana: the migration of man-1 to man-1' });

    await unlinkIncident(store.client, 'I-MAN', { note: 'upstream outage', author: 'ana' });
    expect((await report(['man'])).services.man!.change_failure_rate.failed).toEqual(0);
    expect(await link('I-MAN')).toMatchObject({ deployment_id: '', link_method: 'manual', link_reason: 'unlinked manually by ana: upstream outage; no deployment caused it' });

    await unlinkIncident(store.client, 'I-MAN', { reset: true });
    await report(['man']);
    expect(await link('I-MAN')).toMatchObject({ deployment_id: 'man-2', link_method: 'window' });
  });

  it('an incident a severity filter left out counts nowhere', async () => {
    const metrics = (await report(['ign'])).services.ign!;
    expect(metrics.change_failure_rate.failed).toEqual(0);
    expect(metrics.time_to_restore.incidents).toEqual(0);
    expect(await link('I-LOW')).toBeUndefined();
  });

  it("an incident naming another service's deployment fails that deployment", async () => {
    const result = await report(['cart', 'pay']);
    expect(result.services.cart!.change_failure_rate).toEqual({ failed: 1, deployments: 1, rate: 1, tier: null });
    // Its time to restore is pay's: 30 min.
    expect(result.services.pay!.time_to_restore.median_seconds).toEqual(1800);
    expect(await link('I-PAY')).toMatchObject({ deployment_id: 'cart-1', deployment_service: 'cart', link_method: 'explicit' });
    expect(await failed('cart')).toEqual([{ id: 'cart-1', failure_reasons: ['incident I-PAY of pay (explicit link: it names this deployment)'] }]);
  });

  it('the window link is surer the closer the incident', async () => {
    await report(['win']);
    // 6 h after the deployment in a 24 h window: 0.9 - 0.4 × 6 / 24 = 0.8.
    expect(await link('I-WIN')).toMatchObject({ deployment_id: 'win-1', link_method: 'window', link_confidence: 0.8 });
  });
});
