import { grid, statPanel, tablePanel, textPanel } from '../panels.js';
import { drillDown } from '../sql/common.js';
import {
  clampedStagesSql,
  deploymentTreatmentSql,
  derivationStateSql,
  incidentsLeftOutSql,
  ingestRunsSql,
  storeCountsSql,
  unplacedDeploymentsSql,
} from '../sql/debug.js';
import { datasourceVariable, scopeVariable, serviceVariable, teamVariable } from '../variables.js';
import { dashboard } from './dashboard.js';

const time = (displayName: string) => ({ field: 'time', displayName, unit: 'dateTimeAsIso' });
const narrowing = { ...drillDown, environment: false };

const help = `**Why is a number missing or different?** Each table lists what the figures left out, and why.
Empty dashboards usually mean the derived tables are not there yet or are stale: run \`dora dashboards refresh\`
(or \`dora report\`) after collecting. The same from the command line: \`dora doctor\` and \`dora report --explain METRIC\`.`;

/** What was ignored and why: the dashboard twin of `dora doctor`. */
export function debugDashboard() {
  return dashboard({
    uid: 'dora-debug',
    title: 'DORA debug: what was left out and why',
    description: 'What the store holds and what the figures left out: non-production and unfinished deployments, baselines, unplaced commits, incidents not used or not linked, clamped stages, rejected input, stale derivations.',
    variables: [datasourceVariable, scopeVariable, teamVariable, serviceVariable],
    panels: grid([
      {
        height: 5,
        panels: [
          { width: 10, panel: textPanel('How to read this', 'Where to look when a figure is missing or surprising, and the commands that show the same.', help) },
          {
            width: 14,
            panel: statPanel({
              title: 'Events in the store',
              description: 'Rows per kind after de-duplication (re-collected or re-imported events count once), whatever their time.',
              refId: 'store',
              sql: storeCountsSql(),
              tier: false,
              figures: ['commits', 'pull_requests', 'deployments', 'incidents'].map((field) => ({ field, displayName: field.replace('_', ' '), unit: 'none' })),
            }),
          },
        ],
      },
      {
        height: 8,
        panels: [
          {
            width: 12,
            panel: tablePanel({
              title: 'Deployment events and how they count',
              description: 'Every deployment event finished in the range, by environment and status: counted as a production deployment, a deploy failure (status failure: it never went live), or ignored (an environment outside the production set, or still in progress / cancelled).',
              refId: 'treatment',
              sql: deploymentTreatmentSql(narrowing),
              columns: [],
            }),
          },
          {
            width: 12,
            panel: tablePanel({
              title: 'Derivation freshness',
              description: 'When each service was last derived (the tables the dashboards read), and whether deployments or incidents arrived after that. Stale rows need `dora dashboards refresh` or `dora report`.',
              refId: 'derivation',
              sql: derivationStateSql(),
              columns: [
                { field: 'derived_at', displayName: 'derived', unit: 'dateTimeAsIso' },
                { field: 'last_event', displayName: 'last deployment or incident', unit: 'dateTimeAsIso' },
              ],
            }),
          },
        ],
      },
      {
        height: 9,
        panels: [
          {
            width: 12,
            panel: tablePanel({
              title: 'Deployments whose history is not lead time',
              description: 'Production deployments in the range that are a baseline (the first with a known commit: what it ships has no known start), or whose commit derive could not place (no SHA, no repository, unknown or ambiguous SHA), with the reason.',
              refId: 'unplaced',
              sql: unplacedDeploymentsSql(narrowing),
              columns: [time('finished')],
            }),
          },
          {
            width: 12,
            panel: tablePanel({
              title: 'Incidents left out or not linked',
              description: 'Incidents opened in the range that time to restore does not use (open; invalid: resolved at or before opened) or that were tied to no deployment, with the reason.',
              refId: 'incidents_left_out',
              sql: incidentsLeftOutSql(narrowing),
              columns: [time('opened')],
            }),
          },
        ],
      },
      {
        height: 8,
        panels: [
          {
            width: 12,
            panel: tablePanel({
              title: 'Pull requests with a stage held at 0',
              description: 'Pull requests shipped in the range with a breakdown stage that would have been negative (rebased or amended commits, clock skew): held at 0 and counted, so the stages still add up.',
              refId: 'clamped',
              sql: clampedStagesSql(narrowing),
              columns: [time('shipped')],
            }),
          },
          {
            width: 12,
            panel: tablePanel({
              title: 'Imports and collections',
              description: 'Runs of dora import, record and collect that finished in the range: accepted and rejected events, and the message (rejected lines are named by dora import itself).',
              refId: 'runs',
              sql: ingestRunsSql(),
              columns: [time('finished')],
              colour: [{ field: 'rejected', mappings: [{ type: 'range', options: { from: 1, to: null, result: { color: 'orange', index: 0 } } }] }],
            }),
          },
        ],
      },
    ]),
  });
}
