import { windowColumns, type Narrowing } from './common.js';
import { selected } from './figures.js';

/**
 * Release health (src/health): the stored verdict of each production release
 * (`release_verdicts`, written by `dora check` and `dora releases`), the rollbacks derive
 * found, and how each incident was tied to a deployment.
 */

const withWindow = `WITH\n  ${windowColumns.join(',\n  ')}`;

export function verdictCountsSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT count() AS releases, countIf(verdict = 'healthy') AS healthy, countIf(verdict = 'watch') AS watch, countIf(verdict = 'rollback') AS rollback
FROM release_verdicts FINAL
WHERE ${selected('release_verdicts', 'finished_at', narrowing)}`;
}

/** Releases with their verdicts; `flaggedOnly` keeps watch and rollback. */
export function verdictRowsSql(narrowing: Narrowing, flaggedOnly: boolean): string {
  return `${withWindow}
SELECT finished_at AS time, service, if(version != '', version, release_id) AS release, verdict, round(confidence, 2) AS confidence, state,
       arrayStringConcat(reasons, '; ') AS reasons, rollback_to_version AS last_good, rollback_command, url, evaluated_at
FROM release_verdicts FINAL
WHERE ${selected('release_verdicts', 'finished_at', narrowing, flaggedOnly ? ["verdict IN ('watch', 'rollback')"] : [])}
ORDER BY finished_at DESC
LIMIT 500`;
}

/** Production deployments that were rolled back, with how derive knows (the source said so, or inferred from the commits). */
export function rollbackRowsSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT finished_at AS time, service, if(version != '', version, id) AS release, rolled_back_by, rollback_method,
       multiIf(rollback_method = 'explicit', 'the source says so (rollback_of)', rollback_method = 'inferred', 'inferred: the next deployment shipped an ancestor of its commit', '') AS how,
       recovery_seconds, url
FROM current_deployments
WHERE ${selected('current_deployments', 'finished_at', narrowing, ["rolled_back_by != ''"])}
ORDER BY finished_at DESC
LIMIT 500`;
}

/** Incidents with the deployment they were tied to and the method (explicit, window, none). */
export function incidentLinksSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT opened_at AS time, service, id, title, severity, status, deployment_id, link_method, link_reason
FROM current_incidents
WHERE ${selected('current_incidents', 'opened_at', narrowing)}
ORDER BY opened_at DESC
LIMIT 500`;
}
