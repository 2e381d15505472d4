import type { CanonicalEvent, EventKind } from './schemas.js';

/**
 * The common case of a canonical event, checked by hand: about ten times cheaper than the zod
 * schemas, which dominate an import's CPU time. It accepts only what the schemas surely accept
 * and returns exactly what they return; anything unusual (an offset instead of `Z`, an upper-case
 * SHA, a name with spaces around it, any invalid field) gives `undefined`, and the caller asks zod,
 * which stays the single source of truth for validation and for every error message.
 * test/perf-fast-path.test.ts feeds the same valid and invalid lines to both and compares.
 */

type Check = (value: unknown) => boolean;
type Field = { check: Check; kind: 'required' | 'optional' | 'list' };

const isName: Check = (value) => typeof value === 'string' && value.length > 0 && value.length <= 1000 && value.trim() === value;
const isText: Check = (value) => typeof value === 'string' && value.length <= 1_000_000;
const fullSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const shaOrPrefix = /^[0-9a-f]{7,64}$/;
const isFullSha: Check = (value) => typeof value === 'string' && fullSha.test(value);
const isShaOrPrefix: Check = (value) => typeof value === 'string' && shaOrPrefix.test(value);
const utc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
const digits = (text: string, from: number, length: number) => {
  let value = 0;
  for (let i = from; i < from + length; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
};
const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
/**
 * `…Z` with no or three fraction digits, and a real calendar time (checked by number: a date parse per
 * field was most of the import's CPU time). A leap second or hour 24 is left to the schema.
 */
const isUtcTime: Check = (value) => {
  if (typeof value !== 'string' || !utc.test(value)) return false;
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysIn(digits(value, 0, 4), month) &&
    digits(value, 11, 2) <= 23 && digits(value, 14, 2) <= 59 && digits(value, 17, 2) <= 59
  );
};
const isStatus: Check = (value) => value === 'success' || value === 'failure' || value === 'in_progress' || value === 'cancelled';
const isPrNumber: Check = (value) => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

const required = (check: Check): Field => ({ check, kind: 'required' });
const optional = (check: Check): Field => ({ check, kind: 'optional' });
const list = (check: Check): Field => ({ check, kind: 'list' });

const shapes: Record<EventKind, Record<string, Field>> = {
  commit: {
    repo: required(isName), sha: required(isFullSha), parents: list(isFullSha), author: optional(isText),
    authored_at: required(isUtcTime), committed_at: optional(isUtcTime), message: optional(isText),
  },
  pull_request: {
    repo: required(isName), number: required(isPrNumber), title: optional(isText), author: optional(isText),
    created_at: required(isUtcTime), first_review_at: optional(isUtcTime), merged_at: optional(isUtcTime),
    merge_sha: optional(isFullSha), base: optional(isText), commits: list(isFullSha), labels: list(isText),
  },
  deployment: {
    id: required(isName), service: required(isName), environment: required(isName), finished_at: required(isUtcTime),
    status: required(isStatus), source: optional(isName), repo: optional(isName), sha: optional(isShaOrPrefix),
    version: optional(isText), started_at: optional(isUtcTime), rollback_of: optional(isName), url: optional(isText),
  },
  incident: {
    id: required(isName), service: required(isName), opened_at: required(isUtcTime), resolved_at: optional(isUtcTime),
    title: optional(isText), severity: optional(isText), source: optional(isName), deployment: optional(isName), url: optional(isText),
  },
};

const asExtra = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** The event the schema would give for `value` (an object with a known `kind`), or undefined to ask the schema. */
export function fastEvent(value: Record<string, unknown>, kind: EventKind): CanonicalEvent | undefined {
  const shape = shapes[kind];
  const event: Record<string, unknown> = { kind };
  const extra: Record<string, string> = {};
  for (const key in shape) {
    const field = shape[key] as Field;
    const given = value[key];
    if (given === undefined || given === null) {
      if (field.kind === 'required') return undefined;
      if (field.kind === 'list') event[key] = [];
      continue;
    }
    if (field.kind === 'list') {
      if (!Array.isArray(given)) return undefined;
      for (const item of given) if (!field.check(item)) return undefined;
    } else if (!field.check(given)) {
      return undefined;
    }
    // A time without a fraction gets `.000`, as the schema's transform gives it.
    event[key] = field.check === isUtcTime && (given as string).length === 20 ? `${(given as string).slice(0, 19)}.000Z` : given;
  }
  for (const key of Object.keys(value)) {
    if (key === 'kind' || Object.hasOwn(shape, key)) continue;
    // Keys that touch prototypes are left to the schema, whatever it makes of them.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return undefined;
    if (key !== 'extra') extra[key] = asExtra(value[key]);
  }
  const given = value.extra;
  if (given && typeof given === 'object' && !Array.isArray(given)) {
    for (const [key, fieldValue] of Object.entries(given)) {
      if (key === '__proto__') return undefined;
      extra[key] = asExtra(fieldValue);
    }
  }
  event.extra = extra;
  return event as CanonicalEvent;
}
