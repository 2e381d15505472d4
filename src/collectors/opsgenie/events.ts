import { ignoredBecause, incidentExtra, type ServiceCatalog, type SeverityFilter } from '../../catalog/index.js';
import { IncidentEvent } from '../../events/schemas.js';
import type { Logger } from '../../log.js';
import { Alert, Incident } from './schema.js';

/**
 * Opsgenie alerts and incidents -> canonical incidents. Opsgenie has no service on an
 * alert, so the catalog's `opsgenie` names are matched against, in order: a `service`
 * detail or extra property, a `service:NAME` tag, the entity, impacted services, then the
 * plain tags. Unmatched, the first of those names is kept (marked unmapped).
 */

export interface MapContext {
  catalog: ServiceCatalog;
  filter: SeverityFilter;
  log: Logger;
}

export type Kind = 'alerts' | 'incidents';

export function parseItem(kind: Kind, item: unknown, log: Logger): Alert | Incident | undefined {
  const parsed = (kind === 'alerts' ? Alert : Incident).safeParse(item);
  if (parsed.success) return parsed.data;
  const id = (item as { id?: unknown } | null)?.id;
  log.warn('opsgenie item skipped: unexpected payload', {
    kind,
    id: typeof id === 'string' ? id : 'unknown',
    reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'item'}: ${issue.message}`).join('; '),
  });
  return undefined;
}

/** Closed alerts, resolved or closed incidents. */
export const isDone = (kind: Kind, status: string) => (kind === 'alerts' ? status === 'closed' : status === 'resolved' || status === 'closed');

const serviceTag = (tags: string[]) => tags.map((tag) => /^service[:=](.+)$/i.exec(tag)?.[1]?.trim()).find(Boolean);
const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * An alert's close: creation plus `report.closeTime` (milliseconds to close); else its
 * last update. An incident's: its last update (the list gives no resolve time).
 */
function resolvedAt(kind: Kind, item: Alert | Incident): string | undefined {
  if (!isDone(kind, item.status)) return undefined;
  const closeTime = kind === 'alerts' ? (item as Alert).report?.closeTime : undefined;
  if (closeTime && closeTime > 0) return new Date(Date.parse(item.createdAt) + closeTime).toISOString();
  return item.updatedAt ?? undefined;
}

export function incidentEvent(kind: Kind, item: Alert | Incident, ctx: MapContext): IncidentEvent | undefined {
  const alert = kind === 'alerts' ? (item as Alert) : undefined;
  const incident = kind === 'incidents' ? (item as Incident) : undefined;
  const fields = alert?.details ?? incident?.extraProperties ?? undefined;
  const names = [text(fields?.service), serviceTag(item.tags), alert?.entity, ...(incident?.impactedServices ?? [])];
  const mapping = ctx.catalog.forOpsgenie(names, item.tags);
  const priority = item.priority ?? undefined;
  const ignored = ignoredBecause(ctx.filter, { priority }, 'sources.opsgenie');
  const result = IncidentEvent.safeParse({
    kind: 'incident',
    id: kind === 'alerts' ? `opsgenie:${item.id}` : `opsgenie:incident:${item.id}`,
    service: mapping.service,
    opened_at: item.createdAt,
    resolved_at: resolvedAt(kind, item),
    title: item.message ?? `Opsgenie ${kind === 'alerts' ? 'alert' : 'incident'} ${item.tinyId ?? item.id}`,
    severity: priority,
    source: 'opsgenie',
    extra: {
      status: item.status,
      ...(priority ? { priority } : {}),
      ...(item.tinyId ? { tiny_id: item.tinyId } : {}),
      ...(item.tags.length ? { tags: item.tags.join(', ') } : {}),
      [incidentExtra.sourceService]: mapping.service,
      ...(mapping.mapped ? {} : { [incidentExtra.unmapped]: 'true' }),
      ...(item.description ? { [incidentExtra.description]: item.description } : {}),
      ...(fields && Object.keys(fields).length ? { [incidentExtra.fields]: JSON.stringify(fields) } : {}),
      ...(ignored ? { [incidentExtra.ignored]: ignored } : {}),
      ...(alert?.entity ? { entity: alert.entity } : {}),
      ...(incident?.ownerTeam ? { owner_team: incident.ownerTeam } : {}),
    },
  });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  ctx.log.warn('opsgenie item skipped: not a valid event', { id: item.id, field: issue?.path.join('.'), reason: issue?.message });
  return undefined;
}
