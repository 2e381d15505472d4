import { ignoredBecause, incidentExtra, type ServiceCatalog, type SeverityFilter } from '../../catalog/index.js';
import { IncidentEvent } from '../../events/schemas.js';
import type { Logger } from '../../log.js';
import { Incident } from './schema.js';

/**
 * A PagerDuty incident -> a canonical incident. The service is the catalog's (by
 * PagerDuty service id or name), else PagerDuty's service name, marked unmapped. The
 * description and the custom details of the triggering event are kept in `extra`, where
 * derive looks for a deployment id, a release version or a commit SHA.
 */

export interface MapContext {
  catalog: ServiceCatalog;
  filter: SeverityFilter;
  log: Logger;
}

/** Parse one list item; a bad one is reported with where it came from and skipped. */
export function parseIncident(item: unknown, where: string, log: Logger): Incident | undefined {
  const parsed = Incident.safeParse(item);
  if (parsed.success) return parsed.data;
  const id = (item as { id?: unknown } | null)?.id;
  log.warn('pagerduty incident skipped: unexpected payload', {
    incident: typeof id === 'string' ? id : where,
    reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'incident'}: ${issue.message}`).join('; '),
  });
  return undefined;
}

/** When it was resolved: `resolved_at`, else (older payloads) the last status change of a resolved incident. */
export function resolvedAt(incident: Incident): string | undefined {
  if (incident.status !== 'resolved') return undefined;
  return incident.resolved_at ?? incident.last_status_change_at ?? undefined;
}

function customFields(incident: Incident): string | undefined {
  const fields: Record<string, unknown> = {};
  const details = incident.first_trigger_log_entry?.channel?.details;
  if (details !== undefined && details !== null && details !== '') fields.details = details;
  for (const field of incident.custom_fields ?? []) if (field.value !== null && field.value !== undefined) fields[field.name] = field.value;
  return Object.keys(fields).length > 0 ? JSON.stringify(fields) : undefined;
}

export function incidentEvent(incident: Incident, ctx: MapContext, resolved: string | undefined = resolvedAt(incident)): IncidentEvent | undefined {
  const mapping = ctx.catalog.forPagerDuty({ id: incident.service.id, name: incident.service.summary });
  const priority = incident.priority?.summary ?? incident.priority?.name ?? undefined;
  const urgency = incident.urgency ?? undefined;
  const ignored = ignoredBecause(ctx.filter, { urgency, priority }, 'sources.pagerduty');
  const title = incident.title ?? incident.description ?? `PagerDuty incident ${incident.incident_number ?? incident.id}`;
  const fields = customFields(incident);
  const result = IncidentEvent.safeParse({
    kind: 'incident',
    id: `pagerduty:${incident.id}`,
    service: mapping.service,
    opened_at: incident.created_at,
    resolved_at: resolved,
    title,
    severity: priority ?? urgency,
    source: 'pagerduty',
    url: incident.html_url,
    extra: {
      status: incident.status,
      ...(urgency ? { urgency } : {}),
      ...(priority ? { priority } : {}),
      ...(incident.incident_number ? { incident_number: String(incident.incident_number) } : {}),
      [incidentExtra.sourceService]: `${incident.service.id}${incident.service.summary ? ` ${incident.service.summary}` : ''}`,
      ...(mapping.mapped ? {} : { [incidentExtra.unmapped]: 'true' }),
      ...(incident.description && incident.description !== title ? { [incidentExtra.description]: incident.description } : {}),
      ...(fields ? { [incidentExtra.fields]: fields } : {}),
      ...(ignored ? { [incidentExtra.ignored]: ignored } : {}),
      ...(incident.teams?.length ? { teams: incident.teams.map((team) => team.summary ?? team.id).join(', ') } : {}),
    },
  });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  ctx.log.warn('pagerduty incident skipped: not a valid event', { incident: incident.id, field: issue?.path.join('.'), reason: issue?.message });
  return undefined;
}
