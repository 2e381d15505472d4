import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  DashboardCursorSync,
  FieldColorModeId,
  GraphDrawStyle,
  LegendDisplayMode,
  MappingType,
  PercentChangeColorMode,
  SortOrder,
  SpecialValueMatch,
  StackingMode,
  TableCellHeight,
  TooltipDisplayMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  VisibilityMode,
  VizOrientation,
} from '@grafana/schema';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { datasourceFile, exportFiles, providerFile } from '../src/dashboards/export.js';
import { pluginId } from '../src/dashboards/grafana.js';
import { environmentSettings } from '../src/dashboards/provisioning.js';

/**
 * The dashboards in dashboards/ against Grafana's dashboard model. At build time they are
 * typed with @grafana/schema (src/dashboards/grafana.ts); here the JSON files themselves are
 * checked: they are exactly what the builders make, and every enum-valued option holds a
 * value of the schema's runtime enums.
 */

const root = new URL('..', import.meta.url).pathname;
const folder = join(root, 'dashboards');
const generated = exportFiles({ datasource: environmentSettings });
const dashboardNames = Object.keys(generated).filter((name) => name.endsWith('.json'));
const load = (name: string) => JSON.parse(readFileSync(join(folder, name), 'utf8'));

const values = (enumeration: object) => Object.values(enumeration).filter((value) => typeof value === 'string') as [string, ...string[]];
const numbers = (enumeration: object) => Object.values(enumeration).filter((value): value is number => typeof value === 'number');
const oneOf = (enumeration: object) => z.enum(values(enumeration));
const numberOf = (enumeration: object) => z.number().refine((value) => numbers(enumeration).includes(value), 'not a value of the enum');

const Datasource = z.strictObject({ type: z.literal(pluginId), uid: z.literal('${ds}') });
const Mapping = z.discriminatedUnion('type', [
  z.object({ type: z.literal(MappingType.ValueToText), options: z.record(z.string(), z.object({ text: z.string().optional(), color: z.string().optional(), index: z.number() })) }),
  z.object({ type: z.literal(MappingType.SpecialValue), options: z.object({ match: oneOf(SpecialValueMatch), result: z.object({ text: z.string(), color: z.string(), index: z.number() }) }) }),
  z.object({ type: z.literal(MappingType.RangeToText), options: z.object({ from: z.number().nullable(), to: z.number().nullable(), result: z.object({ color: z.string(), index: z.number() }) }) }),
]);
const Override = z.strictObject({
  matcher: z.strictObject({ id: z.literal('byName'), options: z.string() }),
  properties: z.array(z.object({ id: z.string(), value: z.unknown() })).min(1),
});
const FieldConfig = z.strictObject({
  defaults: z.object({ color: z.object({ mode: oneOf(FieldColorModeId), fixedColor: z.string().optional() }).optional(), custom: z.record(z.string(), z.unknown()).optional() }).passthrough(),
  overrides: z.array(Override),
});
const Target = z.strictObject({
  refId: z.string().min(1),
  datasource: Datasource,
  editorType: z.literal('sql'),
  rawSql: z.string().min(1),
  format: z.union([z.literal(0), z.literal(1)]),
  queryType: z.enum(['timeseries', 'table']),
  pluginVersion: z.string(),
});
const GridPos = z.strictObject({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1).max(24), h: z.number().int().min(1) });
const panelBase = { id: z.number().int().positive(), title: z.string().min(1), description: z.string().min(20), gridPos: GridPos };
const Panel = z.discriminatedUnion('type', [
  z.strictObject({
    ...panelBase,
    type: z.literal('stat'),
    datasource: Datasource,
    targets: z.array(Target).length(1),
    fieldConfig: FieldConfig,
    options: z.strictObject({
      reduceOptions: z.strictObject({ values: z.boolean(), calcs: z.array(z.string()), fields: z.string() }),
      orientation: oneOf(VizOrientation),
      textMode: oneOf(BigValueTextMode),
      colorMode: oneOf(BigValueColorMode),
      graphMode: oneOf(BigValueGraphMode),
      justifyMode: oneOf(BigValueJustifyMode),
      wideLayout: z.boolean(),
      showPercentChange: z.boolean(),
      percentChangeColorMode: oneOf(PercentChangeColorMode),
    }),
  }),
  z.strictObject({
    ...panelBase,
    type: z.literal('timeseries'),
    datasource: Datasource,
    targets: z.array(Target).length(1),
    fieldConfig: FieldConfig.extend({
      defaults: z.object({
        custom: z.object({ drawStyle: oneOf(GraphDrawStyle), showPoints: oneOf(VisibilityMode), stacking: z.object({ mode: oneOf(StackingMode), group: z.string() }) }).passthrough(),
      }).passthrough(),
    }),
    options: z.strictObject({
      legend: z.strictObject({ showLegend: z.boolean(), displayMode: oneOf(LegendDisplayMode), placement: z.enum(['bottom', 'right', 'top']), calcs: z.array(z.string()) }),
      tooltip: z.strictObject({ mode: oneOf(TooltipDisplayMode), sort: oneOf(SortOrder) }),
    }),
  }),
  z.strictObject({
    ...panelBase,
    type: z.literal('table'),
    datasource: Datasource,
    targets: z.array(Target).length(1),
    fieldConfig: FieldConfig,
    options: z.strictObject({ showHeader: z.boolean(), frameIndex: z.number(), cellHeight: oneOf(TableCellHeight), enablePagination: z.boolean() }),
  }),
  z.strictObject({ ...panelBase, type: z.literal('text'), fieldConfig: FieldConfig, options: z.strictObject({ mode: z.literal('markdown'), content: z.string().min(1) }) }),
]);
const Variable = z.object({
  type: z.enum(['query', 'custom', 'textbox', 'datasource']),
  name: z.string().regex(/^\w+$/),
  label: z.string(),
  description: z.string().min(10),
  hide: numberOf(VariableHide),
  refresh: numberOf(VariableRefresh).optional(),
  sort: numberOf(VariableSort).optional(),
  current: z.object({ text: z.union([z.string(), z.array(z.string())]), value: z.union([z.string(), z.array(z.string())]) }),
});
const Dashboard = z.strictObject({
  uid: z.string().regex(/^[\w-]{8,40}$/),
  title: z.string().min(1),
  description: z.string(),
  tags: z.array(z.string()),
  editable: z.boolean(),
  graphTooltip: numberOf(DashboardCursorSync),
  time: z.strictObject({ from: z.string(), to: z.string() }),
  refresh: z.string(),
  schemaVersion: z.number().int(),
  timezone: z.string(),
  weekStart: z.string(),
  fiscalYearStartMonth: z.number(),
  links: z.array(z.object({ type: z.enum(['dashboards', 'link']), tags: z.array(z.string()) }).passthrough()),
  annotations: z.object({ list: z.array(z.unknown()) }),
  templating: z.object({ list: z.array(Variable) }),
  panels: z.array(Panel).min(1),
});

describe('the dashboards in dashboards/', () => {
  it('are exactly what the builders make (dora dashboards export --out dashboards --from-env)', () => {
    const shipped = readdirSync(folder).filter((name) => name.endsWith('.json')).sort();
    expect(shipped).toEqual([...dashboardNames].sort());
    for (const name of [...dashboardNames, datasourceFile, providerFile]) {
      expect(readFileSync(join(folder, name), 'utf8'), `${name}: regenerate with npx dora dashboards export --out dashboards --from-env`).toEqual(generated[name]);
    }
  });

  it.each(dashboardNames)('%s fits Grafana\'s dashboard model', (name) => {
    const dashboard = load(name);
    const parsed = Dashboard.safeParse(dashboard);
    expect(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([]);
  });

  it.each(dashboardNames)('%s: unique ids and uids, panels inside the 24-column grid without overlap, variables defined before use', (name) => {
    const dashboard = load(name) as { uid: string; panels: any[]; templating: { list: { name: string; query: unknown }[] } };
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toEqual(ids.length);
    const cells = new Set<string>();
    for (const { gridPos: { x, y, w, h } } of dashboard.panels) {
      expect(x + w).toBeLessThanOrEqual(24);
      for (let column = x; column < x + w; column++) for (let row = y; row < y + h; row++) {
        expect(cells.has(`${column},${row}`)).toBe(false);
        cells.add(`${column},${row}`);
      }
    }
    // Every ${name} and $name in the SQL (Grafana's own $__ names aside) is a variable of the dashboard.
    const defined = dashboard.templating.list.map((variable) => variable.name);
    const used = new Set<string>();
    const texts = [...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target: { rawSql: string }) => target.rawSql)), ...dashboard.templating.list.map((v) => String(v.query))];
    for (const text of texts) for (const match of text.matchAll(/\$\{(\w+)[^}]*\}|\$(?!__)(\w+)/g)) used.add((match[1] ?? match[2]) as string);
    expect([...used].filter((variable) => !defined.includes(variable))).toEqual([]);
    // A variable's query may use only the variables before it (Grafana resolves them in order).
    dashboard.templating.list.forEach((variable, index) => {
      for (const match of String(variable.query).matchAll(/\$\{(\w+)[^}]*\}|\$(?!__)(\w+)/g)) {
        expect(defined.indexOf((match[1] ?? match[2]) as string), `${variable.name} uses ${match[0]}`).toBeLessThan(index);
      }
    });
  });

  it("stat panels pick their tiles by display name, as Grafana matches reduceOptions.fields", () => {
    for (const name of dashboardNames) {
      for (const panel of load(name).panels.filter((item: { type: string }) => item.type === 'stat')) {
        const pattern = String(panel.options.reduceOptions.fields);
        const regexp = new RegExp(pattern.slice(1, -1));
        const names = panel.fieldConfig.overrides.map((override: any) => override.properties.find((property: any) => property.id === 'displayName').value as string);
        // Grafana fills in variables in display names: the tier reads "tier (DORA 2023)".
        for (const displayName of names) expect(regexp.test(displayName.replace('${benchmark}', '2023')), `${panel.title}: ${displayName}`).toBe(true);
        expect(regexp.test('deploy_failures'), panel.title).toBe(false);
      }
    }
  });

  it('no query mixes a macro with its _ms twin (the plugin would replace one inside the other)', () => {
    for (const name of dashboardNames) {
      for (const panel of load(name).panels) {
        for (const { rawSql } of panel.targets ?? []) {
          for (const macro of ['fromTime', 'toTime', 'timeFilter', 'timeInterval']) {
            const plain = new RegExp(`\\$__${macro}\\b`).test(rawSql);
            const ms = rawSql.includes(`$__${macro}_ms`);
            expect(plain && ms, `${name} / ${panel.title}: $__${macro} and $__${macro}_ms`).toBe(false);
          }
        }
      }
    }
  });

  it('every query of every dashboard uses the macros the issue names between them', () => {
    const all = dashboardNames.flatMap((name) => load(name).panels.flatMap((panel: any) => (panel.targets ?? []).map((target: any) => target.rawSql as string))).join('\n');
    for (const macro of ['$__timeFilter(', '$__fromTime', '$__toTime', '$__timeInterval(', '$__interval_s', '$__conditionalAll(', '${service:singlequote}', '${team:singlequote}']) {
      expect(all.includes(macro), macro).toBe(true);
    }
  });

  it('the provisioning files point at the ClickHouse plugin and never hold a password', () => {
    const datasource = readFileSync(join(folder, datasourceFile), 'utf8');
    expect(datasource).toContain(`type: ${pluginId}`);
    expect(datasource).toContain('uid: dora-clickhouse');
    expect(datasource).toContain('password: $DORA_CLICKHOUSE_PASSWORD');
    expect(datasource).toContain('host: $DORA_CLICKHOUSE_HOST');
    expect(readFileSync(join(folder, providerFile), 'utf8')).toContain('path: /var/lib/grafana/dashboards/dora');
    expect(existsSync(join(folder, 'README.md'))).toBe(true);
  });
});
