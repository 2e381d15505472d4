import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { productionEnvironments, scopeKey } from '../derive/scope.js';
import { humanDuration } from '../derive/time.js';
import { loadFacts } from './facts.js';
import { loadReleases } from './releases.js';
import { factSignals, type Observation } from './signals.js';
import { storedRollbacks } from './store.js';
import { lastGoodRelease, rollbackTo } from './target.js';
import { compareTelemetry, telemetrySignals } from './telemetry/compare.js';
import { findTracesTable, type TracesTable } from './telemetry/table.js';
import type { Release, ReleaseVerdict, Signal, TelemetryComparison, Verdict } from './types.js';
import { combine } from './verdict.js';

export interface EvaluateOptions {
  config: Config;
  /** Evaluate the production releases finished at or after this (epoch ms). */
  since: number;
  /** Also these release ids, whenever they finished (alerts waiting for a resolution). */
  include?: readonly string[];
  services?: readonly string[];
  /** Production environment names. Default `config.production`. */
  environments?: readonly string[];
  /** Default Date.now(). */
  now?: number;
  /** Called after each release is judged (for a progress bar). */
  onProgress?: (done: number, total: number, release: string) => void;
}

export interface Evaluation {
  scope: string;
  verdicts: ReleaseVerdict[];
  /** The traces table compared, or why there was none. */
  telemetry: { table: string | null; absent: string | null };
}

/**
 * Judge production releases (DESIGN.md §5). Reads derive's current rows, so run
 * `deriveMetrics` first. Each release is watched from its finish for
 * `health.windowHours`, until the next release at most; its signals are combined into
 * `healthy`, `watch` or `rollback`, and a flagged release gets the last good release to
 * return to. Nothing is written here (see saveVerdicts).
 */
export async function evaluateReleases(client: ClickHouseClient, options: EvaluateOptions): Promise<Evaluation> {
  const now = options.now ?? Date.now();
  const environments = productionEnvironments(options.config, options.environments);
  const scope = scopeKey(environments);
  const windowMs = options.config.health.windowHours * 3_600_000;
  const windowText = humanDuration(windowMs / 1000);
  const { histories, evaluate } = await loadReleases(client, { scope, since: options.since, include: options.include ?? [], services: options.services });
  const selected = [...histories.values()].flat().filter((release) => evaluate.has(release.id) && release.finishedAt <= now);

  let table: TracesTable | undefined;
  let absent: string | null = options.config.telemetry.enabled ? null : 'telemetry.enabled is false';
  if (options.config.telemetry.enabled) {
    const found = await findTracesTable(client, options.config.telemetry);
    if ('table' in found) table = found.table;
    else absent = found.reason;
  }
  if (selected.length === 0) return { scope, verdicts: [], telemetry: { table: table?.name ?? null, absent } };

  const facts = await loadFacts(client, scope, environments, selected);
  const judgedRollback = await storedRollbacks(client, scope, [...histories.keys()]);
  const judged = new Map<string, Verdict>();
  const verdictOf = (id: string) => judged.get(id) ?? (judgedRollback.has(id) ? 'rollback' : undefined);
  const verdicts: ReleaseVerdict[] = [];

  for (const [service, history] of [...histories].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const judgedHere = history.flatMap((release, index) => (evaluate.has(release.id) && release.finishedAt <= now ? [index] : []));
    const observations = new Map(
      judgedHere.map((index) => {
        const release = history[index] as Release;
        const next: Release | undefined = history[index + 1];
        const end = Math.min(release.finishedAt + windowMs, next?.finishedAt ?? Number.POSITIVE_INFINITY);
        return [index, { start: release.finishedAt, end, next } satisfies Observation];
      }),
    );
    // Telemetry for the whole service in one query.
    const compared = new Map<number, TelemetryComparison>();
    if (table) {
      const wanted = judgedHere.filter((index) => index > 0 && Math.min((observations.get(index) as Observation).end, now) > (history[index] as Release).finishedAt);
      const comparisons = await compareTelemetry(
        client,
        table,
        options.config.telemetry,
        wanted.map((index) => ({ release: history[index] as Release, previous: history[index - 1] as Release, until: Math.min((observations.get(index) as Observation).end, now), environments })),
      );
      wanted.forEach((index, position) => compared.set(index, comparisons[position] as TelemetryComparison));
    }

    for (const index of judgedHere) {
      const release = history[index] as Release;
      const previous: Release | undefined = history[index - 1];
      const observation = observations.get(index) as Observation;
      const { end, next } = observation;
      const observedUntil = Math.min(end, now);
      const signals: Signal[] = factSignals(release, observation, facts, windowText);
      const notes: string[] = [];

      const telemetry = compared.get(index) ?? null;
      if (telemetry && previous) {
        const judgedTelemetry = telemetrySignals(telemetry, options.config.telemetry, previous.version || previous.id);
        signals.push(...judgedTelemetry.signals);
        notes.push(judgedTelemetry.note);
      }
      const lengthMs = end - release.finishedAt;
      const observedMs = Math.max(0, observedUntil - release.finishedAt);
      if (signals.length === 0) {
        const cut = next && next.finishedAt < release.finishedAt + windowMs ? `, cut short by ${next.id}` : '';
        notes.unshift(
          now >= end
            ? `no incident, rollback, revert or failed health check in its ${humanDuration(lengthMs / 1000)} observation window${cut}`
            : `no incident, rollback, revert or failed health check so far: ${humanDuration(observedMs / 1000)} of its ${humanDuration(lengthMs / 1000)} observation window observed`,
        );
      }
      const combined = combine(signals, notes, {
        fraction: lengthMs > 0 ? observedMs / lengthMs : 1,
        telemetryCompared: telemetry !== null && telemetry.skipped === null,
      });
      judged.set(release.id, combined.verdict);
      const target = combined.verdict === 'healthy' ? undefined : lastGoodRelease(history, index, verdictOf);
      const suspect = facts.commits.get(release.commitSha);
      verdicts.push({
        service,
        release,
        ...combined,
        signals,
        telemetry,
        window: { until: end, complete: now >= end, observedSeconds: observedMs / 1000, lengthSeconds: lengthMs / 1000 },
        state: release.rolledBackBy ? 'rolled_back' : next ? 'replaced' : 'live',
        replacedBy: next?.id ?? '',
        rollbackTarget: target ? rollbackTo(target) : null,
        suspect: suspect ? { sha: suspect.sha, author: suspect.author, title: suspect.title } : null,
        previousSha: previous ? previous.commitSha || previous.sha : '',
        incidentLinks: (facts.incidents.get(release.id) ?? []).map((incident) => ({ id: incident.id, url: incident.url })),
        evaluatedAt: now,
      });
      options.onProgress?.(verdicts.length, selected.length, release.id);
    }
  }
  return { scope, verdicts, telemetry: { table: table?.name ?? null, absent } };
}
