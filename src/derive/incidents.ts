import type { RepoData, Shipment } from './changes.js';
import { idIndex, namedCommit, namedDeploymentId, namedVersion, shasIn, versionIndex } from './references.js';
import type { RollbackFacts } from './rollbacks.js';
import { humanDuration, seconds } from './time.js';
import type { DerivedIncidentRow, IncidentInput, IncidentStatus, LinkMethod, ManualLink, ProductionDeployment } from './types.js';

export interface IncidentLink {
  incident: string;
  method: LinkMethod;
  note: string;
}

export interface Attribution {
  /** One row per incident of the service. */
  rows: DerivedIncidentRow[];
  /** Per deployment ordinal: the incidents attributed to it (from any service, when named or linked by hand). */
  links: IncidentLink[][];
}

export interface AttributionContext {
  /** Named deployment ids of other services → their service. */
  elsewhere: ReadonlyMap<string, string>;
  windowMs: number;
  /** A person's decision per incident id. */
  manual: ReadonlyMap<string, ManualLink>;
  repos: ReadonlyMap<string, RepoData>;
  shippedBy: ReadonlyMap<string, Int32Array>;
  rollbacks: readonly RollbackFacts[];
  /** What each deployment shipped, with the commits that later reverted part of it (the revert layer). */
  shipments?: readonly Shipment[];
}

export function incidentStatus(incident: IncidentInput): IncidentStatus {
  if (incident.resolvedAt === null) return 'open';
  return incident.resolvedAt <= incident.openedAt ? 'invalid' : 'resolved';
}

interface Decision {
  ordinal: number;
  deploymentId: string;
  deploymentService: string;
  method: LinkMethod;
  confidence: number;
  reason: string;
  note: string;
}

const none = (reason: string): Decision => ({ ordinal: -1, deploymentId: '', deploymentService: '', method: 'none', confidence: 0, reason, note: '' });

/**
 * Incident → deployment attribution, in layers, each recorded with its method, a
 * confidence and the reason:
 *  1. a person's decision (`dora link` / `dora unlink`), which later collections never undo;
 *  2. the deployment the incident names (`deployment`), when it is a successful production deployment;
 *  2b. a deployment id of the service its text names;
 *  3. a release version of the service its text names;
 *  4. a commit it names (text or `extra.sha`): the deployment that first shipped it;
 *  5. a deployment of the service live when it opened and rolled back after (within the window);
 *  5b. one of them with a shipped commit reverted by a deployment finished after it opened (within the window);
 *  6. the latest production deployment of its service finished at or before it opened, at most the
 *     window (`metrics.attributionWindowHours`) earlier (DESIGN.md §4);
 *  7. none.
 * `incidents` holds the service's own incidents and other services' incidents that name (or are
 * linked by hand to) one of its deployments: those only add links here; their rows are written by
 * their own service.
 */
export function attributeIncidents(
  service: string,
  incidents: readonly IncidentInput[],
  deployments: readonly ProductionDeployment[],
  ctx: AttributionContext,
): Attribution {
  const ordinalOf = new Map(deployments.map((deployment, ordinal) => [deployment.id, ordinal]));
  const links: IncidentLink[][] = deployments.map(() => []);
  const rows: DerivedIncidentRow[] = [];
  const windowText = humanDuration(ctx.windowMs / 1000);
  const versions = versionIndex(deployments);
  const ids = idIndex(deployments);
  const byId = new Map(deployments.map((deployment) => [deployment.id, deployment]));
  for (const incident of incidents) {
    const own = incident.service === service;
    const decision = decide(incident, own);
    if (decision.ordinal >= 0) links[decision.ordinal]!.push({ incident: incident.id, method: decision.method, note: decision.note });
    if (!own) continue;
    const status = incidentStatus(incident);
    rows.push({
      service,
      id: incident.id,
      opened_at: incident.openedAt,
      resolved_at: incident.resolvedAt,
      title: incident.title,
      severity: incident.severity,
      status,
      restore_seconds: status === 'resolved' ? seconds((incident.resolvedAt as number) - incident.openedAt) : null,
      deployment_id: decision.deploymentId,
      deployment_service: decision.deploymentService,
      link_method: decision.method,
      link_confidence: decision.confidence,
      link_reason: decision.reason,
    });
  }
  return { rows, links };

  function decide(incident: IncidentInput, own: boolean): Decision {
    const label = `incident ${incident.id}${own ? '' : ` of ${incident.service}`}`;
    const to = (deploymentId: string, method: LinkMethod, confidence: number, reason: string, note: string): Decision | undefined => {
      const ordinal = ordinalOf.get(deploymentId);
      if (ordinal !== undefined) return { ordinal, deploymentId, deploymentService: service, method, confidence, reason, note: `${label} (${note})` };
      const other = ctx.elsewhere.get(deploymentId);
      if (other !== undefined) return { ordinal: -1, deploymentId, deploymentService: other, method, confidence, reason: `${reason} (of ${other})`, note: '' };
      return undefined;
    };
    const manual = ctx.manual.get(incident.id);
    if (manual) {
      const by = `${manual.author ? ` by ${manual.author}` : ''}${manual.note ? `: ${manual.note}` : ''}`;
      if (manual.action === 'unlink') return { ...none(`unlinked manually${by}; no deployment caused it`), method: 'manual', confidence: 1 };
      const linked = to(manual.deployment, 'manual', 1, `linked manually${by} to ${manual.deployment}`, `manual link${by}`);
      return linked ?? { ...none(`linked manually${by} to ${manual.deployment}, which is not a successful production deployment`), method: 'manual', confidence: 1 };
    }
    let prefix = '';
    if (incident.deployment) {
      const named = to(incident.deployment, 'explicit', 1, `the incident names deployment ${incident.deployment}`, 'explicit link: it names this deployment');
      if (named) return named;
      prefix = `it names ${incident.deployment}, which is not a successful production deployment; `;
    }
    // Other services' incidents reach this service only through the layers above.
    if (!own) return none('');
    const mentioned = namedDeploymentId(incident.text, ids);
    if (mentioned >= 0) {
      const deployment = deployments[mentioned] as ProductionDeployment;
      return {
        ordinal: mentioned,
        deploymentId: deployment.id,
        deploymentService: service,
        method: 'deployment_id',
        confidence: 1,
        reason: `${prefix}it names deployment ${deployment.id}`,
        note: `${label} (deployment id link: its text names this deployment)`,
      };
    }
    const version = namedVersion(incident.text, versions, deployments, incident.openedAt);
    if (version >= 0) {
      const deployment = deployments[version] as ProductionDeployment;
      return {
        ordinal: version,
        deploymentId: deployment.id,
        deploymentService: service,
        method: 'version',
        confidence: 1,
        reason: `${prefix}it names release ${deployment.version}: ${deployment.id}`,
        note: `${label} (release version link: it names release ${deployment.version})`,
      };
    }
    const commit = namedCommit([...(incident.sha ? [incident.sha] : []), ...shasIn(incident.text)], ctx.repos, ctx.shippedBy);
    if (commit.ordinal >= 0) {
      const deployment = deployments[commit.ordinal] as ProductionDeployment;
      return {
        ordinal: commit.ordinal,
        deploymentId: deployment.id,
        deploymentService: service,
        method: 'sha',
        confidence: 1,
        reason: `${prefix}it names commit ${commit.sha.slice(0, 7)}, first shipped by ${deployment.id}`,
        note: `${label} (SHA link: it names commit ${commit.sha.slice(0, 7)})`,
      };
    }
    const rolledBack = rolledBackAround(incident.openedAt);
    if (rolledBack >= 0) {
      const deployment = deployments[rolledBack] as ProductionDeployment;
      const by = ctx.rollbacks[rolledBack]!.rolledBackBy;
      const after = humanDuration((incident.openedAt - deployment.finishedAt) / 1000);
      return {
        ordinal: rolledBack,
        deploymentId: deployment.id,
        deploymentService: service,
        method: 'rollback',
        confidence: 0.95,
        reason: `${prefix}${deployment.id}, ${after} before it opened, was rolled back by ${by}`,
        note: `${label} (rollback link: opened ${after} after it, and ${by} rolled it back)`,
      };
    }
    const reverted = revertedAround(incident.openedAt);
    if (reverted) {
      const deployment = deployments[reverted.ordinal] as ProductionDeployment;
      const after = humanDuration((reverted.by.finishedAt - incident.openedAt) / 1000);
      return {
        ordinal: reverted.ordinal,
        deploymentId: deployment.id,
        deploymentService: service,
        method: 'revert',
        confidence: 0.95,
        reason: `${prefix}${deployment.id} shipped a commit reverted by ${reverted.sha.slice(0, 7)} (in ${reverted.by.id}, ${after} after it opened)`,
        note: `${label} (revert link: ${reverted.by.id} reverted a commit of it, ${after} after the incident opened)`,
      };
    }
    const latest = latestAtOrBefore(deployments, incident.openedAt);
    const candidate = latest >= 0 ? (deployments[latest] as ProductionDeployment) : undefined;
    const gap = candidate ? incident.openedAt - candidate.finishedAt : Infinity;
    if (candidate && gap <= ctx.windowMs) {
      return {
        ordinal: latest,
        deploymentId: candidate.id,
        deploymentService: service,
        method: 'window',
        // Closer is surer: 0.9 right after the deployment, 0.5 at the window's edge.
        confidence: Number((0.9 - (0.4 * gap) / ctx.windowMs).toFixed(3)),
        reason: `${prefix}latest production deployment of ${service}, ${humanDuration(gap / 1000)} before it opened (window ${windowText})`,
        note: `${label} (window link: opened ${humanDuration(gap / 1000)} after it, within ${windowText})`,
      };
    }
    if (candidate) {
      return none(`${prefix}not attributed: the latest production deployment of ${service}, ${candidate.id}, finished ${humanDuration(gap / 1000)} before it opened (window ${windowText})`);
    }
    return none(`${prefix}not attributed: no production deployment of ${service} before it opened`);
  }

  /**
   * A deployment that was live when the incident opened and was rolled back after it (the
   * rollback answering the incident), finished at most the window before it opened.
   */
  function rolledBackAround(openedAt: number): number {
    for (let ordinal = latestAtOrBefore(deployments, openedAt); ordinal >= 0; ordinal--) {
      const deployment = deployments[ordinal] as ProductionDeployment;
      if (openedAt - deployment.finishedAt > ctx.windowMs) break;
      const rollback = byId.get(ctx.rollbacks[ordinal]?.rolledBackBy ?? '');
      if (rollback && rollback.finishedAt >= openedAt) return ordinal;
    }
    return -1;
  }

  /**
   * A deployment finished at most the window before the incident opened that shipped a
   * commit later reverted, the revert going out after it opened (within the window).
   */
  function revertedAround(openedAt: number): { ordinal: number; sha: string; by: ProductionDeployment } | undefined {
    for (let ordinal = latestAtOrBefore(deployments, openedAt); ordinal >= 0; ordinal--) {
      if (openedAt - (deployments[ordinal] as ProductionDeployment).finishedAt > ctx.windowMs) break;
      for (const sha of ctx.shipments?.[ordinal]?.revertedBy ?? []) {
        const shipped = namedCommit([sha], ctx.repos, ctx.shippedBy).ordinal;
        const by = shipped >= 0 ? (deployments[shipped] as ProductionDeployment) : undefined;
        if (by && by.finishedAt >= openedAt && by.finishedAt - openedAt <= ctx.windowMs) return { ordinal, sha, by };
      }
    }
    return undefined;
  }
}

/** Index of the last deployment that finished at or before `time` (deployments are in shipping order), or -1. */
function latestAtOrBefore(deployments: readonly ProductionDeployment[], time: number): number {
  let low = 0;
  let high = deployments.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((deployments[middle] as ProductionDeployment).finishedAt <= time) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}
