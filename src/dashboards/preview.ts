import type { ClickHouseClient } from '@clickhouse/client';
import type { AnyPanel, ClickHouseTarget, GrafanaDashboard, GrafanaVariable } from './grafana.js';
import { expandQuery, MacroError, type ExpandContext, type VariableValue } from './macros.js';

/**
 * Run a dashboard's queries the way Grafana would for a time range and a choice of
 * variables, without Grafana: the variables' option lists come from their own queries,
 * each panel's SQL is expanded like the ClickHouse plugin expands it, and run on the
 * store. Tests hold the results against `dora report`.
 */

export interface PreviewOptions {
  /** Epoch ms of the range, as Grafana sends them (a day-rounded end is 23:59:59.999). */
  from: number;
  to: number;
  /** The panel interval Grafana would pick (`$__interval_ms`). */
  intervalMs: number;
  /** Chosen values by variable name; `$__all` for All. Unset variables keep the dashboard's default. */
  selection?: Record<string, string | string[]>;
}

export interface PanelResult {
  panel: string;
  type: string;
  refId: string;
  sql: string;
  rows: Record<string, unknown>[];
}

const currentOf = (variable: GrafanaVariable): string | string[] => {
  const value = variable.current?.value;
  return value === undefined ? '' : value;
};

/** Resolve the variables in order, as Grafana does: a query variable's list may depend on those before it. */
export async function resolveVariables(client: ClickHouseClient, dashboard: GrafanaDashboard, options: PreviewOptions): Promise<Record<string, VariableValue>> {
  const variables: Record<string, VariableValue> = {};
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type === 'datasource') continue;
    const current = options.selection?.[variable.name] ?? currentOf(variable);
    if (variable.type === 'query') {
      const sql = expandQuery(String(variable.query), context(options, variables));
      const rows = await run(client, sql);
      variables[variable.name] = { current, options: rows.map((row) => String(Object.values(row)[0])) };
    } else {
      variables[variable.name] = { current };
    }
  }
  return variables;
}

const context = (options: PreviewOptions, variables: Record<string, VariableValue>): ExpandContext => ({
  from: options.from,
  to: options.to,
  intervalMs: options.intervalMs,
  variables,
});

async function run(client: ClickHouseClient, sql: string): Promise<Record<string, unknown>[]> {
  const result = await client.query({ query: sql, format: 'JSONEachRow' });
  return result.json<Record<string, unknown>>();
}

/** Every target of every panel, expanded and run. A macro or variable left unexpanded is an error, as it would be in Grafana. */
export async function previewDashboard(client: ClickHouseClient, dashboard: GrafanaDashboard, options: PreviewOptions): Promise<PanelResult[]> {
  const variables = await resolveVariables(client, dashboard, options);
  const results: PanelResult[] = [];
  for (const panel of dashboard.panels as AnyPanel[]) {
    for (const target of (panel.targets ?? []) as ClickHouseTarget[]) {
      const sql = expandQuery(target.rawSql, context(options, variables));
      const left = /\$__\w+|\$\{\w+[^}]*\}|\$(?!__)\w+/.exec(sql);
      if (left) throw new MacroError(`${panel.title}: ${left[0]} is left unexpanded`);
      try {
        results.push({ panel: panel.title ?? '', type: panel.type, refId: target.refId, sql, rows: await run(client, sql) });
      } catch (error) {
        throw new Error(`${dashboard.title} / ${panel.title}: ${(error as Error).message}\n${sql}`, { cause: error });
      }
    }
  }
  return results;
}
