import { grid, statPanel, tablePanel } from '../panels.js';
import type { ValueMapping } from '../grafana.js';
import { drillDown } from '../sql/common.js';
import { incidentLinksSql, rollbackRowsSql, verdictCountsSql, verdictRowsSql } from '../sql/releases.js';
import { datasourceVariable, environmentVariable, scopeVariable, serviceVariable, teamVariable } from '../variables.js';
import { dashboard } from './dashboard.js';

const verdictColours: ValueMapping[] = [
  { type: 'value', options: { healthy: { color: 'green', index: 0 }, watch: { color: 'orange', index: 1 }, rollback: { color: 'red', index: 2 } } },
];
const linkColours: ValueMapping[] = [
  { type: 'value', options: { explicit: { color: 'green', index: 0 }, window: { color: 'orange', index: 1 }, none: { color: '#6e7079', index: 2 } } },
];
const time = (displayName: string) => ({ field: 'time', displayName, unit: 'dateTimeAsIso' });

/** Release health: verdicts of recent production releases, the flagged ones, rollbacks, and incidents with how they were linked. */
export function releaseHealthDashboard() {
  const verdictColumns = [time('finished'), { field: 'evaluated_at', displayName: 'evaluated', unit: 'dateTimeAsIso' }, { field: 'last_good', displayName: 'last good release' }];
  return dashboard({
    uid: 'dora-release-health',
    title: 'DORA release health',
    description: 'Verdicts of production releases (healthy, watch, rollback) from `dora check`, rollbacks, and incidents with how each was tied to a deployment.',
    variables: [datasourceVariable, scopeVariable, teamVariable, serviceVariable, environmentVariable],
    panels: grid([
      {
        height: 5,
        panels: [
          {
            width: 24,
            panel: statPanel({
              title: 'Release verdicts',
              description: 'Production releases finished in the range with a stored verdict (written by dora check / dora releases), by verdict. A release gets one verdict, its latest.',
              refId: 'verdicts',
              sql: verdictCountsSql(drillDown),
              tier: false,
              figures: [
                { field: 'releases', displayName: 'releases judged', unit: 'none' },
                { field: 'healthy', displayName: 'healthy', unit: 'none' },
                { field: 'watch', displayName: 'watch', unit: 'none' },
                { field: 'rollback', displayName: 'rollback', unit: 'none' },
              ],
            }),
          },
        ],
      },
      {
        height: 9,
        panels: [
          {
            width: 24,
            panel: tablePanel({
              title: 'Flagged releases',
              description: 'Releases judged watch or rollback, newest first: the reasons (incidents, rollbacks, reverts, failed checks, error ratio and latency against the previous release), the last good release and the command to return to it.',
              refId: 'flagged',
              sql: verdictRowsSql(drillDown, true),
              columns: verdictColumns,
              colour: [{ field: 'verdict', mappings: verdictColours }],
            }),
          },
        ],
      },
      {
        height: 10,
        panels: [
          {
            width: 24,
            panel: tablePanel({
              title: 'Recent releases',
              description: 'Every production release finished in the range with its verdict, confidence, state (live, replaced, rolled back) and reasons, newest first (up to 500).',
              refId: 'releases',
              sql: verdictRowsSql(drillDown, false),
              columns: verdictColumns,
              colour: [{ field: 'verdict', mappings: verdictColours }],
            }),
          },
        ],
      },
      {
        height: 9,
        panels: [
          {
            width: 10,
            panel: tablePanel({
              title: 'Rollbacks',
              description: 'Production deployments finished in the range that were rolled back, by which deployment, and how derive knows: explicit (the source says rollback_of, e.g. Heroku "Rollback to vN") or inferred (the next deployment shipped a strict ancestor of its commit).',
              refId: 'rollbacks',
              sql: rollbackRowsSql(drillDown),
              columns: [time('finished'), { field: 'recovery_seconds', displayName: 'recovered after', unit: 's' }],
              colour: [{ field: 'rollback_method', mappings: [{ type: 'value', options: { explicit: { color: 'green', index: 0 }, inferred: { color: 'orange', index: 1 } } }] }],
            }),
          },
          {
            width: 14,
            panel: tablePanel({
              title: 'Incidents and their deployments',
              description: 'Incidents opened in the range with the deployment each was tied to and the method: explicit (the incident names it), window (latest production deployment of the service within the attribution window before it opened), or none (with the reason).',
              refId: 'incident_links',
              sql: incidentLinksSql(drillDown),
              columns: [time('opened')],
              colour: [{ field: 'link_method', mappings: linkColours }],
            }),
          },
        ],
      },
    ]),
  });
}
