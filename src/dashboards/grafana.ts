/**
 * Grafana's dashboard model (@grafana/schema, a dev dependency: type-only imports, erased
 * at build time) as JSON sees it. The schema's enums are TypeScript enums; in a JSON file
 * they are their string values, so `Json<T>` turns each string enum into the union of its
 * values and keeps everything else. Every dashboard the agent writes is typed with these.
 */
import type { Dashboard, FieldConfigSource, Panel, VariableModel } from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as TableOptions, FieldConfig as TableFieldConfig } from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type { Options as TextOptions } from '@grafana/schema/dist/esm/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen';
import type { Options as TimeSeriesOptions, FieldConfig as TimeSeriesFieldConfig } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

export type Json<T> = T extends string
  ? string extends T
    ? string
    : `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer Item)[]
      ? Json<Item>[]
      : T extends object
        ? { [Key in keyof T]: Json<T[Key]> }
        : T;

/** A panel whose options and custom field config are the panel plugin's own types. */
export type TypedPanel<Options, Custom = Record<string, unknown>> = Omit<Json<Panel<Options, Custom>>, 'options' | 'fieldConfig'> & {
  options: Json<Options>;
  fieldConfig: Json<FieldConfigSource<Custom>>;
};

export type StatPanel = TypedPanel<StatOptions>;
export type TimeSeriesPanel = TypedPanel<TimeSeriesOptions, TimeSeriesFieldConfig>;
export type TablePanel = TypedPanel<TableOptions, TableFieldConfig>;
export type TextPanel = TypedPanel<TextOptions>;
export type AnyPanel = StatPanel | TimeSeriesPanel | TablePanel | TextPanel;

export type GrafanaVariable = Json<VariableModel>;
export type GrafanaDashboard = Omit<Json<Dashboard>, 'panels'> & { panels: AnyPanel[] };
export type FieldOverride = Json<FieldConfigSource['overrides'][number]>;
export type ValueMapping = Json<NonNullable<Json<FieldConfigSource['defaults']>['mappings']>[number]>;

/** The ClickHouse data source plugin's query (grafana-clickhouse-datasource src/types/sql.ts), SQL editor. */
export interface ClickHouseTarget {
  [key: string]: unknown;
  refId: string;
  datasource: { type: string; uid: string };
  editorType: 'sql';
  rawSql: string;
  /** 0 time series, 1 table. */
  format: 0 | 1;
  queryType: 'timeseries' | 'table';
  pluginVersion: string;
}

export const pluginId = 'grafana-clickhouse-datasource';
/** The plugin version the targets were written for (the macros in src/dashboards/macros.ts are its). */
export const pluginVersion = '4.20.0';
/** Panels point at the `ds` variable, so a dashboard works with any ClickHouse data source. */
export const datasource = { type: pluginId, uid: '${ds}' };
/** The provisioned data source's fixed uid (the `ds` variable's default). */
export const datasourceUid = 'dora-clickhouse';
export const datasourceName = 'DORA ClickHouse';
