import type { ClickHouseClient } from '@clickhouse/client';
import { deriveMetrics } from '../derive/run.js';
import { productionEnvironments, scopeKey } from '../derive/scope.js';
import { chTime } from '../derive/time.js';
import { selectServices, type ReportOptions } from './build.js';
import { explainFailures, explainFrequency, explainLeadTime, explainRecovery, explainRestore, explainRework, type Raw } from './explain-rows.js';
import { knownServices } from './queries.js';
import { UsageError } from './window.js';

export const explainMetrics = [
  'deployment_frequency',
  'lead_time',
  'change_failure_rate',
  'time_to_restore',
  'recovery_time',
  'rework_rate',
] as const;
export type ExplainMetric = (typeof explainMetrics)[number];

const aliases: Record<string, ExplainMetric> = {
  df: 'deployment_frequency',
  deployments: 'deployment_frequency',
  lt: 'lead_time',
  lead: 'lead_time',
  cfr: 'change_failure_rate',
  ttr: 'time_to_restore',
  mttr: 'time_to_restore',
  restore: 'time_to_restore',
  recovery: 'recovery_time',
  fdrt: 'recovery_time',
  rework: 'rework_rate',
};

export function parseExplainMetric(text: string): ExplainMetric {
  const key = text.trim().toLowerCase().replace(/-/g, '_');
  const metric = (explainMetrics as readonly string[]).includes(key) ? (key as ExplainMetric) : aliases[key];
  if (!metric) throw new UsageError(`--explain: unknown metric ${JSON.stringify(text)}; expected one of ${explainMetrics.join(', ')}`);
  return metric;
}

/** One row behind a figure: whether it counted, and why. */
export interface ExplanationRow {
  item: string;
  service: string;
  time: string;
  counted: string;
  value: string;
  reason: string;
}

export interface Explanation {
  metric: ExplainMetric;
  window: { since: string; until: string };
  services: string[];
  summary: string;
  rows: ExplanationRow[];
}


/** The rows behind one figure of the report, each with whether it counted and why (DESIGN.md §7). */
export async function explainMetric(client: ClickHouseClient, metric: ExplainMetric, options: ReportOptions): Promise<Explanation> {
  const environments = productionEnvironments(options.config, options.environments);
  const scope = scopeKey(environments);
  const selected = selectServices(options.config, options);
  await deriveMetrics(client, { config: options.config, environments, ...(selected ? { services: selected } : {}) });
  const services = selected ?? (await knownServices(client, scope, environments));
  const query_params = {
    scope,
    services,
    environments,
    since: chTime(options.since.getTime()),
    until: chTime(options.until.getTime()),
  };
  const rows = async (query: string) => (await client.query({ query, query_params, format: 'JSONEachRow' })).json<Raw>();
  const inWindow = (column: string) =>
    `scope = {scope:String} AND service IN {services:Array(String)} AND ${column} >= {since:DateTime64(3, 'UTC')} AND ${column} < {until:DateTime64(3, 'UTC')}`;
  const deployments = () => rows(`SELECT * FROM current_deployments WHERE ${inWindow('finished_at')} ORDER BY finished_at, id`);
  let explained: { summary: string; rows: ExplanationRow[] };
  switch (metric) {
    case 'deployment_frequency': {
      const others = await rows(
        `SELECT id, service, finished_at, environment, status, sha FROM deployments FINAL
         WHERE service IN {services:Array(String)} AND finished_at >= {since:DateTime64(3, 'UTC')} AND finished_at < {until:DateTime64(3, 'UTC')}
           AND NOT (status = 'success' AND lower(environment) IN {environments:Array(String)})
         ORDER BY finished_at, id`,
      );
      explained = explainFrequency(await deployments(), others, environments);
      break;
    }
    case 'lead_time':
      explained = explainLeadTime(await rows(`SELECT * FROM current_changes WHERE ${inWindow('deployed_at')} ORDER BY deployed_at, change_key`), await deployments());
      break;
    case 'change_failure_rate':
      explained = explainFailures(await deployments());
      break;
    case 'time_to_restore':
      explained = explainRestore(await rows(`SELECT * FROM current_incidents WHERE ${inWindow('opened_at')} ORDER BY opened_at, id`));
      break;
    case 'recovery_time':
      explained = explainRecovery((await deployments()).filter((row) => Number(row.failed) === 1));
      break;
    case 'rework_rate':
      explained = explainRework(await deployments());
      break;
  }
  return {
    metric,
    window: { since: options.since.toISOString(), until: options.until.toISOString() },
    services,
    ...explained,
  };
}

export { renderExplanation } from './explain-render.js';
