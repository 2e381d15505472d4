import { breakdownPanel, statPanels, trendPanels } from '../figure-panels.js';
import { grid } from '../panels.js';
import { everything } from '../sql/common.js';
import { benchmarkVariable, datasourceVariable, scopeVariable, timeZoneVariable } from '../variables.js';
import { dashboard } from './dashboard.js';

/** DORA overview: the five figures and rework rate for every service, and their trends. */
export function overviewDashboard() {
  const stats = statPanels(everything);
  const trends = trendPanels(everything);
  return dashboard({
    uid: 'dora-overview',
    title: 'DORA overview',
    description: 'The DORA figures of every service, the same definitions and numbers as `dora report` (DESIGN.md §4).',
    variables: [datasourceVariable, scopeVariable, benchmarkVariable, timeZoneVariable],
    panels: grid([
      { height: 6, panels: stats.map((panel) => ({ width: 4, panel })) },
      { height: 9, panels: [{ width: 12, panel: trends.deploys }, { width: 12, panel: trends.lead }] },
      { height: 9, panels: [{ width: 8, panel: breakdownPanel(everything) }, { width: 16, panel: trends.stages }] },
      { height: 9, panels: [{ width: 12, panel: trends.failures }, { width: 12, panel: trends.recovery }] },
    ]),
  });
}
