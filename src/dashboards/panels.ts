import {
  datasource,
  pluginVersion,
  type AnyPanel,
  type ClickHouseTarget,
  type FieldOverride,
  type StatPanel,
  type TablePanel,
  type TextPanel,
  type TimeSeriesPanel,
  type ValueMapping,
} from './grafana.js';

/** Panel builders: every panel says what it counts (`description`) and runs one SQL query. */

export interface Column {
  /** Field name in the query result. */
  field: string;
  displayName: string;
  /** Grafana unit id: `s`, `percentunit`, `none`, `short`, `dateTimeAsIso`. */
  unit?: string;
  decimals?: number;
}

interface Base {
  title: string;
  description: string;
  refId: string;
  sql: string;
}

export function target(refId: string, rawSql: string, kind: 'timeseries' | 'table'): ClickHouseTarget {
  return { refId, datasource, editorType: 'sql', rawSql, format: kind === 'timeseries' ? 0 : 1, queryType: kind, pluginVersion };
}

const byName = (field: string, properties: { id: string; value: unknown }[]): FieldOverride => ({
  matcher: { id: 'byName', options: field },
  properties,
});

function columnOverride(column: Column): FieldOverride {
  const properties: { id: string; value: unknown }[] = [{ id: 'displayName', value: column.displayName }];
  if (column.unit) properties.push({ id: 'unit', value: column.unit });
  if (column.decimals !== undefined) properties.push({ id: 'decimals', value: column.decimals });
  return byName(column.field, properties);
}

/** DORA tiers as colours; NULL is the report's "insufficient data" (fewer than the minimum sample). */
export const tierMappings: ValueMapping[] = [
  {
    type: 'value',
    options: {
      elite: { text: 'elite', color: 'dark-green', index: 0 },
      high: { text: 'high', color: 'green', index: 1 },
      medium: { text: 'medium', color: 'orange', index: 2 },
      low: { text: 'low', color: 'red', index: 3 },
    },
  },
  { type: 'special', options: { match: 'null', result: { text: 'insufficient data', color: '#6e7079', index: 4 } } },
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The tier's tile, named with the benchmark set (Grafana fills in `${benchmark}`). */
const tierName = 'tier (DORA ${benchmark})';

/**
 * A stat panel: the figures as tiles, plus the tier coloured by band. The query returns
 * every field of the report's figure (the tests compare them all); `reduceOptions.fields`
 * picks the tiles, and Grafana matches it against display names (after the overrides),
 * not column names, so the pattern is built from those.
 */
export function statPanel(spec: Base & { figures: Column[]; tier?: boolean }): StatPanel {
  const shown = [...spec.figures.map((figure) => escapeRegExp(figure.displayName)), ...(spec.tier === false ? [] : ['tier \\(DORA .*\\)'])];
  const overrides = spec.figures.map(columnOverride);
  if (spec.tier !== false) {
    overrides.push(
      byName('tier', [
        { id: 'displayName', value: tierName },
        { id: 'mappings', value: tierMappings },
        { id: 'color', value: { mode: 'thresholds' } },
      ]),
    );
  }
  return {
    type: 'stat',
    title: spec.title,
    description: spec.description,
    datasource,
    targets: [target(spec.refId, spec.sql, 'table')],
    fieldConfig: {
      // Figures keep a plain background; only the tier is coloured.
      defaults: { noValue: 'n/a', color: { mode: 'fixed', fixedColor: 'transparent' }, mappings: [] },
      overrides,
    },
    options: {
      reduceOptions: { values: true, calcs: ['lastNotNull'], fields: `/^(${shown.join('|')})$/` },
      orientation: 'horizontal',
      textMode: 'value_and_name',
      colorMode: 'background',
      graphMode: 'none',
      justifyMode: 'center',
      wideLayout: true,
      showPercentChange: false,
      percentChangeColorMode: 'standard',
    },
  };
}

/** A time series: one line or bar per column, stacked when asked. */
export function timeSeriesPanel(spec: Base & { columns: Column[]; unit: string; style: 'bars' | 'lines'; stacked?: boolean; min?: number }): TimeSeriesPanel {
  return {
    type: 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource,
    targets: [target(spec.refId, spec.sql, 'timeseries')],
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.min === undefined ? {} : { min: spec.min }),
        noValue: 'n/a',
        color: { mode: 'palette-classic' },
        custom: {
          drawStyle: spec.style === 'bars' ? 'bars' : 'line',
          lineWidth: spec.style === 'bars' ? 1 : 2,
          fillOpacity: spec.style === 'bars' ? 70 : 10,
          showPoints: 'always',
          pointSize: 5,
          // Empty buckets are gaps, never a line drawn through "no data".
          spanNulls: false,
          stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
          axisPlacement: 'auto',
          barAlignment: -1,
        },
      },
      overrides: spec.columns.map(columnOverride),
    },
    options: {
      legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
      tooltip: { mode: 'multi', sort: 'none' },
    },
  };
}

/** A table of rows; `colour` maps a column's values to cell colours. */
export function tablePanel(spec: Base & { columns: Column[]; colour?: { field: string; mappings: ValueMapping[] }[] }): TablePanel {
  const overrides = spec.columns.map(columnOverride);
  for (const { field, mappings } of spec.colour ?? []) {
    overrides.push(byName(field, [{ id: 'mappings', value: mappings }, { id: 'custom.cellOptions', value: { type: 'color-background' } }]));
  }
  return {
    type: 'table',
    title: spec.title,
    description: spec.description,
    datasource,
    targets: [target(spec.refId, spec.sql, 'table')],
    fieldConfig: {
      defaults: { noValue: 'n/a', custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: true, filterable: true } },
      overrides,
    },
    options: { showHeader: true, frameIndex: 0, cellHeight: 'sm', enablePagination: true },
  };
}

export function textPanel(title: string, description: string, markdown: string): TextPanel {
  return { type: 'text', title, description, options: { mode: 'markdown', content: markdown }, fieldConfig: { defaults: {}, overrides: [] } };
}

/** Lay panels out row by row on Grafana's 24-column grid; ids in reading order. */
export function grid(rows: { height: number; panels: { width: number; panel: AnyPanel }[] }[]): AnyPanel[] {
  const laid: AnyPanel[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    for (const { width, panel } of row.panels) {
      laid.push({ ...panel, id: laid.length + 1, gridPos: { x, y, w: width, h: row.height } });
      x += width;
    }
    y += row.height;
  }
  return laid;
}
