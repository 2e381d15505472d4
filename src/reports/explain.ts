import type { ClickHouseClient } from '@clickhouse/client';
import { deriveMetrics } from '../derive/run.js';
import { productionEnvironments, scopeKey } from '../derive/scope.js';
import { chTime, humanDuration } from '../derive/time.js';
import { fromClickHouseTime } from '../events/time.js';
import { selectServices, type ReportOptions } from './build.js';
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

type Raw = Record<string, unknown>;
const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const iso = (value: unknown) => (value ? fromClickHouseTime(String(value)) : '');
const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
const short = (sha: unknown) => text(sha).slice(0, 7);

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

function explainFrequency(production: Raw[], others: Raw[], environments: string[]) {
  const counted = production.map((row) => ({
    item: text(row.id),
    service: text(row.service),
    time: iso(row.finished_at),
    counted: 'yes',
    value: short(row.sha),
    reason: `successful ${text(row.environment)} deployment`,
  }));
  const skipped = others.map((row) => {
    const production = environments.includes(text(row.environment).toLowerCase());
    const status = text(row.status);
    const reason = !production
      ? `environment ${text(row.environment)} is not production (${environments.join(', ')})`
      : status === 'failure'
        ? 'failed attempt: it never went live (counted as a deploy failure)'
        : status === 'in_progress'
          ? 'not finished (in_progress)'
          : `status ${status}`;
    return { item: text(row.id), service: text(row.service), time: iso(row.finished_at), counted: 'no', value: short(row.sha), reason };
  });
  const days = new Set(counted.map((row) => row.time.slice(0, 10))).size;
  return {
    summary: `${counted.length} production deployments counted on ${days} UTC days; ${skipped.length} other deployments not counted`,
    rows: [...counted, ...skipped].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)),
  };
}

function explainLeadTime(changes: Raw[], deployments: Raw[]) {
  const counted = changes.map((row) => {
    const stages = ['coding', 'pickup', 'review', 'deploy']
      .map((stage) => (row[`${stage}_seconds`] === null ? null : `${stage} ${humanDuration(Number(row[`${stage}_seconds`]))}`))
      .filter(Boolean)
      .join(', ');
    const clamped = list(row.clamped_stages);
    const what = row.kind === 'pr' ? `PR #${text(row.pr_number)} ${text(row.title)} (${text(row.commits)} commits)` : `commit ${text(row.change_key).split('@')[1]?.slice(0, 7)} of its own`;
    const start = row.start_source === 'first_commit' ? 'its first commit' : row.start_source === 'pr_created' ? 'the PR creation (its commits are not in the store)' : 'its author time';
    return {
      item: text(row.change_key),
      service: text(row.service),
      time: iso(row.deployed_at),
      counted: 'yes',
      value: humanDuration(Number(row.lead_seconds)),
      reason: `${what}, shipped by ${text(row.deployment_id)}; from ${start} ${iso(row.start_at)}${stages ? `; ${stages}` : ''}${clamped.length ? `; clamped at 0: ${clamped.join(', ')}` : ''}`,
    };
  });
  const excluded = deployments
    .filter((row) => Number(row.baseline) === 1 || row.commit_status !== 'resolved' || Number(row.changes) === 0)
    .map((row) => {
      const reason =
        Number(row.baseline) === 1
          ? `baseline: the first production deployment of ${text(row.service)} placed in ${text(row.repo)}; its ${text(row.commits)} commits of history have no known delivery start`
          : row.commit_status !== 'resolved'
            ? `its commit is not placed: ${text(row.commit_note) || text(row.commit_status)}`
            : 'shipped no new change (a redeploy or a rollback)';
      return { item: text(row.id), service: text(row.service), time: iso(row.finished_at), counted: 'no', value: short(row.sha), reason };
    });
  return {
    summary: `${counted.length} changes counted; ${excluded.length} deployments contributed none`,
    rows: [...counted, ...excluded].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)),
  };
}

function explainFailures(deployments: Raw[]) {
  const rows = deployments.map((row) => {
    const failed = Number(row.failed) === 1;
    const reverts = list(row.reverted_by);
    const evidence = reverts.length ? `; evidence only (not a failure by itself): reverted by ${reverts.map((sha) => sha.slice(0, 7)).join(', ')}` : '';
    return {
      item: text(row.id),
      service: text(row.service),
      time: iso(row.finished_at),
      counted: failed ? 'failed' : 'ok',
      value: short(row.sha),
      reason: `${failed ? list(row.failure_reasons).join('; ') : 'no incident attributed, not rolled back'}${evidence}`,
    };
  });
  const failed = rows.filter((row) => row.counted === 'failed').length;
  return { summary: `${failed} failed of ${rows.length} production deployments`, rows };
}

function explainRestore(incidents: Raw[]) {
  const rows = incidents.map((row) => {
    const status = text(row.status);
    const link = `${text(row.link_method)} link: ${text(row.link_reason)}`;
    return {
      item: text(row.id),
      service: text(row.service),
      time: iso(row.opened_at),
      counted: status === 'resolved' ? 'yes' : 'no',
      value: status === 'resolved' ? humanDuration(Number(row.restore_seconds)) : status,
      reason:
        status === 'resolved'
          ? `resolved ${iso(row.resolved_at)}; ${link}`
          : status === 'open'
            ? `not resolved yet: counted apart as open; ${link}`
            : `invalid: resolved_at ${iso(row.resolved_at)} is not after opened_at; counted apart, never used; ${link}`,
    };
  });
  const used = rows.filter((row) => row.counted === 'yes').length;
  return { summary: `${used} resolved incidents used of ${rows.length} opened in the window`, rows };
}

function explainRecovery(failed: Raw[]) {
  const rows = failed.map((row) => {
    const recovered = row.recovered_by !== '';
    return {
      item: text(row.id),
      service: text(row.service),
      time: iso(row.finished_at),
      counted: recovered ? 'yes' : 'no',
      value: recovered ? humanDuration(Number(row.recovery_seconds)) : 'not recovered',
      reason: `${recovered ? `recovered by ${text(row.recovered_by)} at ${iso(row.recovered_at)}` : 'no later production deployment that did not fail: counted apart'}; failed because ${list(row.failure_reasons).join('; ')}`,
    };
  });
  return { summary: `${rows.filter((row) => row.counted === 'yes').length} of ${rows.length} failed deployments recovered`, rows };
}

function explainRework(deployments: Raw[]) {
  const rows = deployments.map((row) => ({
    item: text(row.id),
    service: text(row.service),
    time: iso(row.finished_at),
    counted: Number(row.rework) === 1 ? 'rework' : 'no',
    value: short(row.sha),
    reason: Number(row.rework) === 1 ? text(row.rework_reason) : 'not a rollback; no incident of the service open when it finished',
  }));
  return { summary: `${rows.filter((row) => row.counted === 'rework').length} rework of ${rows.length} production deployments`, rows };
}

/** Human (table), json or csv. */
export function renderExplanation(explanation: Explanation, format: 'table' | 'json' | 'csv' | 'markdown'): string {
  if (format === 'json') return `${JSON.stringify(explanation, null, 2)}\n`;
  const header = ['time', 'service', 'item', 'counted', 'value', 'reason'] as const;
  if (format === 'csv') {
    const field = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return `${[header.join(','), ...explanation.rows.map((row) => header.map((key) => field(row[key])).join(','))].join('\r\n')}\r\n`;
  }
  if (format === 'markdown') {
    const cell = (value: string) => value.replace(/\|/g, '\\|');
    return `${[`**${explanation.metric}**: ${explanation.summary}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...explanation.rows.map((row) => `| ${header.map((key) => cell(row[key])).join(' | ')} |`)].join('\n')}\n`;
  }
  const cells = [[...header], ...explanation.rows.map((row) => [row.time.slice(0, 16).replace('T', ' '), row.service, row.item, row.counted, row.value, row.reason])];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const body = cells.map((row) => row.map((cell, column) => (column === header.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n');
  return `${explanation.metric}: ${explanation.summary} (${explanation.window.since} → ${explanation.window.until})\n\n${body}\n`;
}
