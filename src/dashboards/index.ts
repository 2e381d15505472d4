export { allDashboards } from './boards/index.js';
export { catalogTeams, syncServiceTeams, storedTeams, type ServiceTeam } from './catalog.js';
export { exportDashboards, exportFiles, defaultDashboardsPath, datasourceFile, providerFile, type ExportOptions } from './export.js';
export { expandQuery, applyConditionalAll, replaceVariables, expandMacros, MacroError, type ExpandContext, type VariableValue } from './macros.js';
export { environmentSettings, settingsFromUrl, datasourceYaml, dashboardProviderYaml, type DatasourceSettings } from './provisioning.js';
export { refreshDashboards, type RefreshSummary } from './refresh.js';
export type { GrafanaDashboard, AnyPanel, ClickHouseTarget } from './grafana.js';
