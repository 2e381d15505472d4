import { describe, expect, it } from 'vitest';
import { ServiceCatalog, ignoredBecause } from '../src/catalog/index.js';
import { Config } from '../src/config/schema.js';

const config = Config.parse({
  services: {
    api: { repos: ['acme/platform'], paths: ['services/api/**', 'libs/http/**'], heroku: ['acme-api'], pagerduty: ['PAPI001'], team: 'core' },
    web: { repos: ['acme/platform'], paths: ['services/web/**'], heroku: ['acme-web'], pagerduty: ['Web Frontend'], opsgenie: ['web'], team: 'frontend' },
    tooling: { repos: ['acme/platform'] },
    billing: { repos: ['Acme/Billing'], opsgenie: ['billing-svc'], team: 'payments' },
  },
});
const catalog = ServiceCatalog.of(config);

describe('service catalog', () => {
  it.each([
    ['repository, any case', () => catalog.forRepo('acme/billing'), { service: 'billing', mapped: true }],
    ['unlisted repository: its name without owner', () => catalog.forRepo('acme/search'), { service: 'search', mapped: false }],
    ['Heroku app', () => catalog.forHerokuApp('acme-web', 'platform'), { service: 'web', mapped: true }],
    ['unlisted Heroku app: its pipeline', () => catalog.forHerokuApp('acme-admin', 'platform'), { service: 'platform', mapped: false }],
    ['PagerDuty service by id', () => catalog.forPagerDuty({ id: 'PAPI001', name: 'whatever' }), { service: 'api', mapped: true }],
    ['PagerDuty service by name, any case', () => catalog.forPagerDuty({ id: 'PWEB999', name: 'web frontend' }), { service: 'web', mapped: true }],
    ['unlisted PagerDuty service: its name', () => catalog.forPagerDuty({ id: 'PLEG001', name: 'legacy-billing' }), { service: 'legacy-billing', mapped: false }],
    ['Opsgenie name', () => catalog.forOpsgenie(['billing-svc']), { service: 'billing', mapped: true }],
    ['Opsgenie plain tag', () => catalog.forOpsgenie([undefined, 'search-cluster'], ['prod', 'web']), { service: 'web', mapped: true }],
    ['unlisted Opsgenie entity', () => catalog.forOpsgenie([undefined, 'search-cluster'], ['prod']), { service: 'search-cluster', mapped: false }],
  ])('%s', (_, map, expected) => {
    expect(map()).toEqual(expected);
  });

  it('a change in a monorepo belongs to the services whose paths it touches (a service without paths owns the whole repository)', () => {
    expect(catalog.servicesOfRepo('acme/platform')).toEqual(['api', 'tooling', 'web']);
    expect(catalog.servicesForPaths('acme/platform', ['services/api/src/app.ts'])).toEqual(['api', 'tooling']);
    expect(catalog.servicesForPaths('acme/platform', ['./libs/http/client.ts', 'services/web/index.html'])).toEqual(['api', 'tooling', 'web']);
    expect(catalog.servicesForPaths('acme/platform', ['services/api/.env.example'])).toEqual(['api', 'tooling']);
    expect(catalog.servicesForPaths('acme/platform', ['docs/readme.md'])).toEqual(['tooling']);
    expect(catalog.servicesForPaths('acme/other', ['services/api/x.ts'])).toEqual([]);
    expect([catalog.ownsPath('web', 'services/api/x.ts'), catalog.ownsPath('web', 'services/web/x.ts'), catalog.ownsPath('tooling', 'anything')]).toEqual([false, true, true]);
    expect(catalog.teamOf('web')).toEqual('frontend');
  });

  it('severity filters say why they leave an incident out; no priority is kept', () => {
    const filter = { urgencies: ['high'], priorities: ['P1', 'P2', 'P3', 'P4'] };
    expect(ignoredBecause(filter, { urgency: 'low', priority: 'P2' }, 'sources.pagerduty')).toEqual('urgency low is not in sources.pagerduty.urgencies (high)');
    expect(ignoredBecause(filter, { urgency: 'high', priority: 'p5' }, 'sources.pagerduty')).toEqual('priority p5 is not in sources.pagerduty.priorities (P1, P2, P3, P4)');
    expect(ignoredBecause(filter, { urgency: 'HIGH', priority: 'p1' }, 'sources.pagerduty')).toEqual(undefined);
    expect(ignoredBecause(filter, { urgency: 'high' }, 'sources.pagerduty')).toEqual(undefined);
    expect(ignoredBecause({}, { urgency: 'low', priority: 'P5' }, 'sources.opsgenie')).toEqual(undefined);
  });
});
