import { humanDuration } from '../derive/time.js';
import { fromClickHouseTime } from '../events/time.js';
import type { ExplanationRow } from './explain.js';

/** Row builders of `--explain`, one per metric: each row says whether it counted and why. */

export type Raw = Record<string, unknown>;
const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const iso = (value: unknown) => (value ? fromClickHouseTime(String(value)) : '');
const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
const short = (sha: unknown) => text(sha).slice(0, 7);
const byTime = (a: ExplanationRow, b: ExplanationRow) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);

export function explainFrequency(production: Raw[], others: Raw[], environments: string[]) {
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
    rows: [...counted, ...skipped].sort(byTime),
  };
}

export function explainLeadTime(changes: Raw[], deployments: Raw[]) {
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
    rows: [...counted, ...excluded].sort(byTime),
  };
}

export function explainFailures(deployments: Raw[]) {
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

export function explainRestore(incidents: Raw[]) {
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

export function explainRecovery(failed: Raw[]) {
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

export function explainRework(deployments: Raw[]) {
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

