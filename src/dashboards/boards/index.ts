import type { GrafanaDashboard } from '../grafana.js';
import { debugDashboard } from './debug.js';
import { drillDownDashboard } from './drill-down.js';
import { overviewDashboard } from './overview.js';
import { releaseHealthDashboard } from './release-health.js';

/** Every dashboard the agent ships, by file name. */
export function allDashboards(): Record<string, GrafanaDashboard> {
  return {
    'dora-overview.json': overviewDashboard(),
    'dora-drill-down.json': drillDownDashboard(),
    'dora-release-health.json': releaseHealthDashboard(),
    'dora-debug.json': debugDashboard(),
  };
}
