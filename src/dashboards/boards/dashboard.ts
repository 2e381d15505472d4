import type { AnyPanel, GrafanaDashboard, GrafanaVariable } from '../grafana.js';

/** The settings every DORA dashboard shares: tags that link them, a 90-day range ending today, refresh for a wall screen. */
export function dashboard(spec: { uid: string; title: string; description: string; variables: GrafanaVariable[]; panels: AnyPanel[] }): GrafanaDashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['dora'],
    editable: true,
    graphTooltip: 1,
    // 90 calendar days, today included: the same window as `dora report --since 90d`.
    time: { from: 'now-89d/d', to: 'now/d' },
    refresh: '5m',
    schemaVersion: 39,
    timezone: 'utc',
    weekStart: 'monday',
    fiscalYearStartMonth: 0,
    links: [
      { title: 'DORA dashboards', type: 'dashboards', tags: ['dora'], asDropdown: true, includeVars: true, keepTime: true, icon: 'external link', targetBlank: false, tooltip: '' },
    ],
    annotations: { list: [] },
    templating: { list: spec.variables },
    panels: spec.panels,
  };
}
