import { datasource, datasourceName, datasourceUid, pluginId, type GrafanaVariable } from './grafana.js';

/**
 * Dashboard variables. Query variables run their SQL through the same plugin, so the
 * lists come from the store: derive's production sets, the catalog's teams, the services
 * and environments that have rows.
 */

const option = (value: string, selected = false) => ({ text: value, value, selected });

export const datasourceVariable: GrafanaVariable = {
  type: 'datasource',
  name: 'ds',
  label: 'ClickHouse',
  description: 'The ClickHouse data source the agent writes to (grafana-clickhouse-datasource).',
  query: pluginId,
  current: { text: datasourceName, value: datasourceUid },
  hide: 0,
  refresh: 1,
  regex: '',
  options: [],
};

function queryVariable(spec: { name: string; label: string; description: string; sql: string; multi: boolean; current: string }): GrafanaVariable {
  return {
    type: 'query',
    name: spec.name,
    label: spec.label,
    description: spec.description,
    datasource,
    query: spec.sql,
    refresh: 1,
    sort: 1,
    hide: 0,
    multi: spec.multi,
    includeAll: spec.multi,
    current: spec.multi ? { text: ['All'], value: ['$__all'] } : { text: spec.current, value: spec.current },
    options: [],
    regex: '',
  };
}

export const scopeVariable = queryVariable({
  name: 'scope',
  label: 'Production environments',
  description: "The production environment names the figures use (derive's scope; `dora report --env` makes others).",
  sql: 'SELECT DISTINCT scope FROM derived_state FINAL ORDER BY scope',
  multi: false,
  current: 'production,prod',
});

export const teamVariable = queryVariable({
  name: 'team',
  label: 'Team',
  description: "Teams of the config's service catalog (services.<name>.team), as the agent last wrote them.",
  sql: "SELECT DISTINCT team FROM current_service_teams WHERE team != '' ORDER BY team",
  multi: true,
  current: '',
});

export const serviceVariable = queryVariable({
  name: 'service',
  label: 'Service',
  description: 'Services with derived rows in the production set, narrowed to the chosen teams.',
  sql:
    'SELECT DISTINCT service FROM derived_state FINAL WHERE scope = ${scope:singlequote} ' +
    'AND $__conditionalAll(service IN (SELECT service FROM current_service_teams WHERE team IN (${team:singlequote})), $team) ORDER BY service',
  multi: true,
  current: '',
});

export const environmentVariable = queryVariable({
  name: 'environment',
  label: 'Environment',
  description: 'Environments of the production deployments in the production set (e.g. production and prod).',
  sql: 'SELECT DISTINCT environment FROM current_deployments WHERE scope = ${scope:singlequote} ORDER BY environment',
  multi: true,
  current: '',
});

export const benchmarkVariable: GrafanaVariable = {
  type: 'custom',
  name: 'benchmark',
  label: 'DORA benchmarks',
  description: 'The benchmark set the tiers are banded by (dora report --benchmark).',
  query: '2023,2021',
  current: { text: '2023', value: '2023' },
  options: [option('2023', true), option('2021')],
  multi: false,
  includeAll: false,
  hide: 0,
};

export const timeZoneVariable: GrafanaVariable = {
  type: 'textbox',
  name: 'tz',
  label: 'Time zone',
  description: 'IANA time zone for days, Monday weeks and months (dora report --tz).',
  query: 'UTC',
  current: { text: 'UTC', value: 'UTC' },
  options: [option('UTC', true)],
  hide: 0,
};
