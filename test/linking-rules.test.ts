import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { buildReport } from '../src/reports/index.js';
import { commit, deployment, incident, load, pullRequest, sha, type Raw } from './fixtures/report/events.js';
import { queryRows, tempStore } from './helpers/store.js';

// The layers issue 7 adds beside the report's own link tests (test/report-links.test.ts): a deployment id
// named in the text, a revert around the incident, and a monorepo whose services count only the changes
// under their paths. Window: [2026-03-01, 2026-03-08).
const since = new Date('2026-03-01T00:00:00Z');
const until = new Date('2026-03-08T00:00:00Z');
const config = Config.parse({
  services: {
    api: { repos: ['acme/platform'], paths: ['services/api/**'] },
    web: { repos: ['acme/platform'], paths: ['services/web/**', 'libs/ui/**'] },
  },
});
let store: Awaited<ReturnType<typeof tempStore>>;

const paths = (...list: string[]) => ({ paths: list });
const events: Raw[] = [
  // ids: the window would blame gha-run-4822 (1 h before); the description names gha-run-4821.
  deployment('gha-run-4821', 'ids', '2026-03-02T10:00:00Z'),
  deployment('gha-run-4822', 'ids', '2026-03-03T10:00:00Z'),
  { ...incident('I-ID', 'ids', '2026-03-03T11:00:00Z', { resolved: '2026-03-03T12:00:00Z' }), title: 'login loop', description: 'first seen right after gha-run-4821.' },
  // rev: rev-1 shipped c1; c2 reverts it and goes out with rev-2 an hour after the incident opened; the window would blame rev-1b.
  commit('acme/rev', 'b0', [], '2026-02-01T09:00:00Z'),
  commit('acme/rev', 'c1', ['b0'], '2026-03-02T09:00:00Z'),
  commit('acme/rev', 'c1b', ['c1'], '2026-03-03T05:00:00Z'),
  commit('acme/rev', 'c2', ['c1b'], '2026-03-03T08:30:00Z', { message: `Revert "c1"\n\nThis reverts commit ${sha('acme/rev', 'c1')}.` }),
  deployment('rev-0', 'rev', '2026-02-20T10:00:00Z', { repo: 'acme/rev', commit: 'b0' }),
  deployment('rev-1', 'rev', '2026-03-02T10:00:00Z', { repo: 'acme/rev', commit: 'c1' }),
  deployment('rev-1b', 'rev', '2026-03-03T06:00:00Z', { repo: 'acme/rev', commit: 'c1b' }),
  deployment('rev-2', 'rev', '2026-03-03T09:00:00Z', { repo: 'acme/rev', commit: 'c2' }),
  incident('I-REV', 'rev', '2026-03-03T08:00:00Z', { resolved: '2026-03-03T09:30:00Z' }),
  // platform: one repository, two services; each deploys the whole repository.
  commit('acme/platform', 'p0', [], '2026-02-01T09:00:00Z', paths('README.md')),
  commit('acme/platform', 'p1', ['p0'], '2026-03-01T09:00:00Z', paths('services/api/handler.ts')),
  commit('acme/platform', 'p2', ['p1'], '2026-03-01T10:00:00Z', paths('services/web/page.tsx', 'libs/ui/button.tsx')),
  commit('acme/platform', 'p3', ['p2'], '2026-03-01T11:00:00Z', paths('docs/adr-7.md')),
  commit('acme/platform', 'p4', ['p3'], '2026-03-01T12:00:00Z'),
  commit('acme/platform', 'p5', ['p4'], '2026-03-01T13:00:00Z', paths('libs/ui/theme.ts')),
  commit('acme/platform', 'p6', ['p5'], '2026-03-01T14:00:00Z', paths('services/api/routes.ts')),
  pullRequest('acme/platform', 7, { created: '2026-03-01T13:30:00Z', merged: '2026-03-01T15:00:00Z', merge: 'p6', commits: ['p5', 'p6'] }),
  deployment('api-0', 'api', '2026-02-20T10:00:00Z', { repo: 'acme/platform', commit: 'p0' }),
  deployment('api-1', 'api', '2026-03-02T10:00:00Z', { repo: 'acme/platform', commit: 'p6' }),
  deployment('web-0', 'web', '2026-02-20T10:00:00Z', { repo: 'acme/platform', commit: 'p0' }),
  deployment('web-1', 'web', '2026-03-02T12:00:00Z', { repo: 'acme/platform', commit: 'p6' }),
];

beforeAll(async () => {
  store = await tempStore();
  await load(store.client, events);
});
afterAll(async () => store?.dispose());

const report = (services: string[]) => buildReport(store.client, { since, until, config, services });
const link = async (id: string) =>
  (await queryRows(store.client, `SELECT deployment_id, link_method, link_confidence, link_reason FROM current_incidents WHERE id = {id:String}`, { id }))[0];

describe('incident links: what issue 7 adds', () => {
  it('a deployment id named in the description beats the window', async () => {
    expect((await report(['ids'])).services.ids!.change_failure_rate).toEqual({ failed: 1, deployments: 2, rate: 1 / 2, tier: null });
    expect(await link('I-ID')).toEqual({ deployment_id: 'gha-run-4821', link_method: 'deployment_id', link_confidence: 1, link_reason: 'it names deployment gha-run-4821' });
  });

  it('a revert of a shipped commit, deployed while the incident was open, blames the deployment that shipped it', async () => {
    const metrics = (await report(['rev'])).services.rev!;
    // rev-1 (revert link) fails; rev-1b and rev-2 do not: 1 of 3 in the window.
    expect(metrics.change_failure_rate).toEqual({ failed: 1, deployments: 3, rate: 1 / 3, tier: null });
    expect(await link('I-REV')).toEqual({
      deployment_id: 'rev-1',
      link_method: 'revert',
      link_confidence: 0.95,
      link_reason: `rev-1 shipped a commit reverted by ${sha('acme/rev', 'c2').slice(0, 7)} (in rev-2, 1 h after it opened)`,
    });
  });

  it('in a monorepo each service counts only the changes under its paths (a change without paths is kept)', async () => {
    const result = await report(['api', 'web']);
    const changes = await queryRows<{ service: string; change_key: string }>(
      store.client,
      `SELECT service, change_key FROM current_changes WHERE service IN ('api', 'web') ORDER BY service, change_key`,
    );
    const key = (label: string) => `commit:acme/platform@${sha('acme/platform', label)}`;
    // api: p1 (services/api), p4 (no paths), PR 7 (p6 touches services/api). web: p2, p4, PR 7 (p5 touches libs/ui). p3 (docs) is neither's.
    expect(changes).toEqual(
      [
        { service: 'api', change_key: key('p1') },
        { service: 'api', change_key: key('p4') },
        { service: 'api', change_key: 'pr:acme/platform#7' },
        { service: 'web', change_key: key('p2') },
        { service: 'web', change_key: key('p4') },
        { service: 'web', change_key: 'pr:acme/platform#7' },
      ].sort((a, b) => (a.service + a.change_key < b.service + b.change_key ? -1 : 1)),
    );
    expect([result.services.api!.lead_time.changes, result.services.web!.lead_time.changes]).toEqual([3, 3]);
    const shipped = await queryRows(store.client, `SELECT id, changes FROM current_deployments WHERE id IN ('api-1', 'web-1') ORDER BY id`);
    expect(shipped).toEqual([{ id: 'api-1', changes: 3 }, { id: 'web-1', changes: 3 }]);
  });
});
