import { fastEvent } from './fast.js';
import { eventKinds, eventSchemas, type CanonicalEvent, type EventKind } from './schemas.js';

export interface EventIssue {
  /** Dotted path of the failing field (`status`, `commits.2`); empty for the whole line. */
  field: string;
  reason: string;
}

export type ParseResult = { ok: true; event: CanonicalEvent } | { ok: false; issues: EventIssue[] };

const isKind = (value: unknown): value is EventKind =>
  typeof value === 'string' && (eventKinds as string[]).includes(value);

/**
 * Validate one decoded JSON value as a canonical event, naming every failing field. The common
 * case is checked by hand (fast.ts); anything else, every rejection included, goes to the schema.
 */
export function parseEvent(value: unknown): ParseResult {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const kind = (value as { kind?: unknown }).kind;
    if (isKind(kind)) {
      const event = fastEvent(value as Record<string, unknown>, kind);
      if (event) return { ok: true, event };
    }
  }
  return parseEventWithSchema(value);
}

/** The same as parseEvent, by the zod schemas alone: the reference the fast path is tested against. */
export function parseEventWithSchema(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ field: '', reason: 'expected a JSON object with a "kind" field' }] };
  }
  const kind = (value as { kind?: unknown }).kind;
  if (!isKind(kind)) {
    const reason =
      kind === undefined
        ? `missing; expected one of ${eventKinds.join(', ')}`
        : `unknown kind ${JSON.stringify(kind)}; expected one of ${eventKinds.join(', ')}`;
    return { ok: false, issues: [{ field: 'kind', reason }] };
  }
  const result = eventSchemas[kind].safeParse(value);
  if (result.success) return { ok: true, event: result.data as CanonicalEvent };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const given = valueAt(value, issue.path);
      return {
        field: issue.path.map(String).join('.'),
        reason: given === undefined ? 'required field is missing' : `${issue.message}, got ${describe(given)}`,
      };
    }),
  };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** Decode one NDJSON line and validate it. */
export function parseEventLine(line: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, issues: [{ field: '', reason: `invalid JSON: ${(error as Error).message}` }] };
  }
  return parseEvent(value);
}

/**
 * parseEventLine, and whether the line's own text can stand for the event: the fast path took it
 * and there is nothing to move into `extra` (times without a fraction are equal once read as times).
 */
export function parseEventLineText(line: string): { result: ParseResult; verbatim: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { result: parseEventLine(line), verbatim: false };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (isKind(record.kind)) {
      const event = fastEvent(record, record.kind);
      if (event) {
        const verbatim = record.extra === undefined && Object.keys(event.extra).length === 0;
        return { result: { ok: true, event }, verbatim };
      }
    }
  }
  return { result: parseEventWithSchema(value), verbatim: false };
}
