import { humanDuration, seconds } from './time.js';
import type { DerivedIncidentRow, IncidentInput, IncidentStatus, ProductionDeployment } from './types.js';

export interface IncidentLink {
  incident: string;
  method: 'explicit' | 'window';
  note: string;
}

export interface Attribution {
  /** One row per incident of the service. */
  rows: DerivedIncidentRow[];
  /** Per deployment ordinal: the incidents attributed to it (from any service, when named explicitly). */
  links: IncidentLink[][];
}

export function incidentStatus(incident: IncidentInput): IncidentStatus {
  if (incident.resolvedAt === null) return 'open';
  return incident.resolvedAt <= incident.openedAt ? 'invalid' : 'resolved';
}

/**
 * Incident → deployment attribution (DESIGN.md §4): the deployment the incident names,
 * when it is a successful production deployment; else the latest production
 * deployment of the incident's service that finished at or before it opened and no
 * more than `windowMs` before. The method and the reason are recorded.
 *
 * `incidents` holds the service's own incidents and those of other services that name
 * one of its deployments; `elsewhere` maps named deployment ids of other services.
 */
export function attributeIncidents(
  service: string,
  incidents: readonly IncidentInput[],
  deployments: readonly ProductionDeployment[],
  elsewhere: ReadonlyMap<string, string>,
  windowMs: number,
): Attribution {
  const ordinalOf = new Map(deployments.map((deployment, ordinal) => [deployment.id, ordinal]));
  const links: IncidentLink[][] = deployments.map(() => []);
  const rows: DerivedIncidentRow[] = [];
  const windowText = humanDuration(windowMs / 1000);
  for (const incident of incidents) {
    const own = incident.service === service;
    const named = incident.deployment ? ordinalOf.get(incident.deployment) : undefined;
    let deploymentId = '';
    let deploymentService = '';
    let method: DerivedIncidentRow['link_method'] = 'none';
    let reason: string;
    if (named !== undefined) {
      deploymentId = incident.deployment;
      deploymentService = service;
      method = 'explicit';
      reason = `the incident names deployment ${incident.deployment}`;
      links[named]!.push({ incident: incident.id, method, note: `incident ${incident.id}${own ? '' : ` of ${incident.service}`} (explicit link: it names this deployment)` });
    } else if (!own) {
      continue;
    } else if (incident.deployment && elsewhere.has(incident.deployment)) {
      deploymentId = incident.deployment;
      deploymentService = elsewhere.get(incident.deployment) as string;
      method = 'explicit';
      reason = `the incident names deployment ${incident.deployment} of ${deploymentService}`;
    } else {
      const prefix = incident.deployment
        ? `it names ${incident.deployment}, which is not a successful production deployment; `
        : '';
      const latest = latestAtOrBefore(deployments, incident.openedAt);
      const candidate = latest >= 0 ? (deployments[latest] as ProductionDeployment) : undefined;
      const gap = candidate ? incident.openedAt - candidate.finishedAt : Infinity;
      if (candidate && gap <= windowMs) {
        deploymentId = candidate.id;
        deploymentService = service;
        method = 'window';
        reason = `${prefix}latest production deployment of ${service}, ${humanDuration(gap / 1000)} before it opened (window ${windowText})`;
        links[latest]!.push({ incident: incident.id, method, note: `incident ${incident.id} (window link: opened ${humanDuration(gap / 1000)} after it, within ${windowText})` });
      } else if (candidate) {
        reason = `${prefix}not attributed: the latest production deployment of ${service}, ${candidate.id}, finished ${humanDuration(gap / 1000)} before it opened (window ${windowText})`;
      } else {
        reason = `${prefix}not attributed: no production deployment of ${service} before it opened`;
      }
    }
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
      deployment_id: deploymentId,
      deployment_service: deploymentService,
      link_method: method,
      link_reason: reason,
    });
  }
  return { rows, links };
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
