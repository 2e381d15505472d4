import { z } from 'zod';

/**
 * The parts of Opsgenie REST API payloads the collector reads (opsgenie/opsgenie-python-sdk
 * opsgenie-oas.json: `BaseAlert`, `Alert`, `AlertReport`, `BaseIncident`, `PageDetails`).
 * Only the fields we use are declared. https://docs.opsgenie.com/docs/alert-api
 */

const IsoTime = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time with a zone' });
const optionalText = z.string().nullish().transform((value) => value ?? undefined);
const texts = z.array(z.string()).nullish().transform((value) => value ?? []);

/** A list item of `GET /v2/alerts` (BaseAlert), or `GET /v2/alerts/{id}` (Alert: adds entity, description, details). */
export const Alert = z.object({
  id: z.string().min(1),
  tinyId: optionalText,
  message: optionalText,
  status: z.string().min(1),
  tags: texts,
  createdAt: IsoTime,
  updatedAt: IsoTime.nullish(),
  source: optionalText,
  owner: optionalText,
  priority: optionalText,
  integration: z.object({ name: optionalText, type: optionalText }).nullish(),
  /** `closeTime`: milliseconds from creation to close. */
  report: z.object({ closeTime: z.number().nullish(), ackTime: z.number().nullish() }).nullish(),
  entity: optionalText,
  description: optionalText,
  details: z.record(z.string(), z.unknown()).nullish(),
});
export type Alert = z.infer<typeof Alert>;

/** A list item of `GET /v1/incidents` (BaseIncident). */
export const Incident = z.object({
  id: z.string().min(1),
  tinyId: optionalText,
  message: optionalText,
  description: optionalText,
  status: z.string().min(1),
  tags: texts,
  createdAt: IsoTime,
  updatedAt: IsoTime.nullish(),
  priority: optionalText,
  ownerTeam: optionalText,
  impactedServices: texts,
  extraProperties: z.record(z.string(), z.unknown()).nullish(),
});
export type Incident = z.infer<typeof Incident>;

/** Every list answer: `{data: [...], paging: {next, first, last}, took, requestId}`. */
export const ListPage = z.object({
  data: z.array(z.unknown()),
  paging: z.object({ next: z.string().nullish() }).nullish(),
});

export const OneItem = z.object({ data: z.unknown() });

/** `{"message":"...","took":0.0,"requestId":"..."}`. */
export const ApiError = z.object({ message: z.string().optional() });
