import { breakdownPanel, statPanels, trendPanels } from '../figure-panels.js';
import { grid, tablePanel, timeSeriesPanel } from '../panels.js';
import { drillDown } from '../sql/common.js';
import { changeRowsSql, deploymentRowsSql, deploymentTimelineSql, incidentRowsSql } from '../sql/rows.js';
import { servicesSql } from '../sql/services.js';
import {
  benchmarkVariable,
  datasourceVariable,
  environmentVariable,
  scopeVariable,
  serviceVariable,
  teamVariable,
  timeZoneVariable,
} from '../variables.js';
import { dashboard } from './dashboard.js';

const seconds = (field: string, displayName: string) => ({ field, displayName, unit: 's' });

/** Per service and team: the same figures narrowed by team, service and environment, the services side by side, the rows behind them. */
export function drillDownDashboard() {
  const stats = statPanels(drillDown);
  const trends = trendPanels(drillDown);
  const services = tablePanel({
    title: 'Services',
    description:
      'One row per service with production deployments, changes or incidents in the range: the figures of `dora report` under services.<name> (deployments, per week, deployment days, failed attempts, lead time, change failure rate, time to restore, recovery, rework).',
    refId: 'services',
    sql: servicesSql(drillDown),
    columns: [
      { field: 'deployment_frequency.deployments', displayName: 'deployments' },
      { field: 'deployment_frequency.per_week', displayName: 'per week', decimals: 1 },
      { field: 'deployment_frequency.deploy_days', displayName: 'deploy days' },
      { field: 'deployment_frequency.deploy_failures', displayName: 'failed attempts' },
      { field: 'lead_time.changes', displayName: 'changes' },
      seconds('lead_time.median_seconds', 'lead time p50'),
      seconds('lead_time.p90_seconds', 'lead time p90'),
      { field: 'change_failure_rate.failed', displayName: 'failed' },
      { field: 'change_failure_rate.rate', displayName: 'change failure rate', unit: 'percentunit', decimals: 1 },
      { field: 'time_to_restore.incidents', displayName: 'incidents' },
      { field: 'time_to_restore.resolved', displayName: 'resolved' },
      seconds('time_to_restore.median_seconds', 'time to restore p50'),
      { field: 'recovery_time.recovered', displayName: 'recovered' },
      seconds('recovery_time.median_seconds', 'recovery p50'),
      { field: 'rework_rate.rate', displayName: 'rework rate', unit: 'percentunit', decimals: 1 },
    ],
  });
  const timeline = timeSeriesPanel({
    title: 'Deployments per interval',
    description: "Successful production deployments per Grafana interval ($__interval, follows the panel's width and the range), and the same as deployments per day.",
    refId: 'timeline',
    sql: deploymentTimelineSql(drillDown),
    unit: 'none',
    style: 'bars',
    min: 0,
    columns: [
      { field: 'deployments', displayName: 'deployments' },
      { field: 'per_day', displayName: 'per day', decimals: 2 },
    ],
  });
  const deployments = tablePanel({
    title: 'Production deployments',
    description: 'Each successful production deployment finished in the range (newest first, up to 1000): failed or not and why, rollbacks (explicit or inferred), rework, changes shipped, recovery.',
    refId: 'deployments',
    sql: deploymentRowsSql(drillDown),
    columns: [seconds('recovery_seconds', 'recovery'), { field: 'time', displayName: 'finished', unit: 'dateTimeAsIso' }],
    colour: [{ field: 'outcome', mappings: [{ type: 'value', options: { failed: { color: 'red', index: 0 }, ok: { color: 'green', index: 1 } } }] }],
  });
  const changes = tablePanel({
    title: 'Changes',
    description: 'Each change shipped in the range (newest first, up to 1000): a pull request or a commit of its own, its lead time and where its start came from, the PR stages and any stage held at 0.',
    refId: 'changes',
    sql: changeRowsSql(drillDown),
    columns: [
      { field: 'time', displayName: 'shipped', unit: 'dateTimeAsIso' },
      seconds('lead_seconds', 'lead time'),
      seconds('coding_seconds', 'coding'),
      seconds('pickup_seconds', 'pickup'),
      seconds('review_seconds', 'review'),
      seconds('deploy_seconds', 'deploy'),
    ],
  });
  const incidents = tablePanel({
    title: 'Incidents',
    description: 'Each incident opened in the range (newest first, up to 1000): resolved, open or invalid, time to restore, and the deployment it was tied to with the method (explicit, window, none) and reason.',
    refId: 'incidents',
    sql: incidentRowsSql(drillDown),
    columns: [{ field: 'time', displayName: 'opened', unit: 'dateTimeAsIso' }, seconds('restore_seconds', 'time to restore')],
  });
  return dashboard({
    uid: 'dora-drill-down',
    title: 'DORA by service and team',
    description: 'The DORA figures narrowed by team, service and environment (multi-select, All), with the services side by side and the rows behind every figure.',
    variables: [datasourceVariable, scopeVariable, teamVariable, serviceVariable, environmentVariable, benchmarkVariable, timeZoneVariable],
    panels: grid([
      { height: 6, panels: stats.map((panel) => ({ width: 4, panel })) },
      { height: 9, panels: [{ width: 24, panel: services }] },
      { height: 9, panels: [{ width: 12, panel: trends.deploys }, { width: 12, panel: timeline }] },
      { height: 9, panels: [{ width: 12, panel: trends.lead }, { width: 12, panel: trends.stages }] },
      { height: 9, panels: [{ width: 8, panel: breakdownPanel(drillDown) }, { width: 8, panel: trends.failures }, { width: 8, panel: trends.recovery }] },
      { height: 10, panels: [{ width: 24, panel: deployments }] },
      { height: 10, panels: [{ width: 12, panel: changes }, { width: 12, panel: incidents }] },
    ]),
  });
}
