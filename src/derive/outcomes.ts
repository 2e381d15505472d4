import type { Shipment } from './changes.js';
import { incidentStatus, type IncidentLink } from './incidents.js';
import type { RollbackFacts } from './rollbacks.js';
import { seconds } from './time.js';
import type { DerivedDeploymentRow, IncidentInput, Placement, ProductionDeployment } from './types.js';

/**
 * Per production deployment: failed (an attributed incident, or rolled back), recovery
 * (the next production deployment of the service that did not fail itself), and rework
 * (a rollback, or finished while an incident of the service was open). DESIGN.md §4.
 */
export function deploymentOutcomes(
  deployments: readonly ProductionDeployment[],
  placements: readonly Placement[],
  shipments: readonly Shipment[],
  rollbacks: readonly RollbackFacts[],
  links: readonly IncidentLink[][],
  ownIncidents: readonly IncidentInput[],
): DerivedDeploymentRow[] {
  const failed = deployments.map((_, ordinal) => links[ordinal]!.length > 0 || rollbacks[ordinal]!.rolledBackBy !== '');
  // The next deployment that did not fail, for every position: one pass from the end.
  const nextGood = new Int32Array(deployments.length + 1).fill(-1);
  for (let ordinal = deployments.length - 1; ordinal >= 0; ordinal--) {
    nextGood[ordinal] = failed[ordinal + 1] === false ? ordinal + 1 : (nextGood[ordinal + 1] as number);
  }
  const openAt = openIncidentSweep(ownIncidents);
  return deployments.map((deployment, ordinal) => {
    const placement = placements[ordinal] as Placement;
    const shipment = shipments[ordinal] as Shipment;
    const rollback = rollbacks[ordinal] as RollbackFacts;
    const incidentLinks = links[ordinal] as IncidentLink[];
    const reasons = incidentLinks.map((link) => link.note);
    if (rollback.rolledBackBy) reasons.push(rollback.rolledBackNote);
    const recoveredBy = failed[ordinal] ? (nextGood[ordinal] as number) : -1;
    const recovery = recoveredBy >= 0 ? (deployments[recoveredBy] as ProductionDeployment) : undefined;
    const openIncident = rollback.isRollback ? undefined : openAt(deployment.finishedAt);
    return {
      service: deployment.service,
      id: deployment.id,
      finished_at: deployment.finishedAt,
      environment: deployment.environment,
      source: deployment.source,
      version: deployment.version,
      url: deployment.url,
      repo: placement.repo || deployment.repo,
      sha: deployment.sha,
      commit_sha: placement.commitSha,
      commit_status: placement.status,
      commit_note: placement.note,
      baseline: shipment.baseline ? 1 : 0,
      commits: shipment.commits,
      changes: shipment.changes,
      failed: failed[ordinal] ? 1 : 0,
      failure_reasons: reasons,
      incidents: incidentLinks.map((link) => link.incident),
      rolled_back_by: rollback.rolledBackBy,
      rollback_method: rollback.method,
      rollback_of: rollback.rollbackOf,
      is_rollback: rollback.isRollback ? 1 : 0,
      reverted_by: shipment.revertedBy,
      rework: rollback.isRollback || openIncident ? 1 : 0,
      rework_reason: rollback.isRollback ? rollback.rollbackNote : openIncident ? `finished while incident ${openIncident} was open` : '',
      recovered_at: recovery ? recovery.finishedAt : null,
      recovered_by: recovery ? recovery.id : '',
      recovery_seconds: recovery ? seconds(recovery.finishedAt - deployment.finishedAt) : null,
    };
  });
}

/**
 * For times asked in increasing order: an incident of the service open at that time
 * (opened at or before it, not yet resolved), or undefined. Invalid incidents
 * (resolved ≤ opened) are never used.
 */
function openIncidentSweep(incidents: readonly IncidentInput[]): (time: number) => string | undefined {
  const usable = incidents.filter((incident) => incidentStatus(incident) !== 'invalid').sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  let next = 0;
  let active: IncidentInput[] = [];
  return (time) => {
    while (next < usable.length && (usable[next] as IncidentInput).openedAt <= time) active.push(usable[next++] as IncidentInput);
    active = active.filter((incident) => incident.resolvedAt === null || incident.resolvedAt > time);
    return active[0]?.id;
  };
}
