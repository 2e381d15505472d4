import { z } from 'zod';

/**
 * The parts of PagerDuty REST API v2 payloads the collector reads (PagerDuty/api-schema
 * reference/REST/openapiv3.json: `Incident`, `ServiceReference`, `PriorityReference`,
 * `LogEntry`). Only the fields we use are declared; anything else is ignored.
 * https://developer.pagerduty.com/api-reference/9d0b4b12e36f9-list-incidents
 */

const IsoTime = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time with a zone' });
const optionalText = z.string().nullish().transform((value) => value ?? undefined);

const Reference = z.object({ id: z.string().min(1), summary: optionalText });

export const IncidentStatus = z.enum(['triggered', 'acknowledged', 'resolved'], {
  error: 'expected one of triggered, acknowledged, resolved',
});

export const Incident = z.object({
  id: z.string().min(1),
  incident_number: z.number().int().nullish(),
  title: optionalText,
  description: optionalText,
  status: IncidentStatus,
  urgency: optionalText,
  created_at: IsoTime,
  updated_at: IsoTime.nullish(),
  /** Null unless resolved; older payloads leave it out (then `last_status_change_at` of a resolved incident). */
  resolved_at: IsoTime.nullish(),
  last_status_change_at: IsoTime.nullish(),
  html_url: optionalText,
  service: Reference,
  /** `summary` is the priority's name (`P1`); `name` with `include[]=priorities`. */
  priority: Reference.extend({ name: optionalText }).nullish(),
  teams: z.array(Reference).nullish(),
  /** With `include[]=first_trigger_log_entries`: the triggering event, whose custom details often name a release or commit. */
  first_trigger_log_entry: z
    .object({ channel: z.object({ details: z.unknown().optional(), summary: optionalText }).passthrough().nullish() })
    .passthrough()
    .nullish(),
  /** Incident custom fields, when the account has them. */
  custom_fields: z.array(z.object({ name: z.string(), value: z.unknown() }).passthrough()).nullish(),
});
export type Incident = z.infer<typeof Incident>;

/** `GET /incidents`: classic offset paging. */
export const IncidentPage = z.object({
  incidents: z.array(z.unknown()),
  limit: z.number().int().nullish(),
  offset: z.number().int().nullish(),
  more: z.boolean().nullish(),
});

/** `GET /incidents/{id}`. */
export const IncidentOne = z.object({ incident: z.unknown() });

/** `GET /incidents/{id}/log_entries`: the resolve entry says when an incident without `resolved_at` was resolved. */
export const LogEntries = z.object({
  log_entries: z.array(z.object({ type: z.string(), created_at: IsoTime }).passthrough()),
});

/** `{"error":{"code":2006,"message":"Invalid Token","errors":["..."]}}`. */
export const ApiError = z.object({
  error: z.object({ code: z.number().optional(), message: z.string().optional(), errors: z.array(z.string()).optional() }).optional(),
});
