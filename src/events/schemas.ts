import { z } from 'zod';

/**
 * The canonical events of DESIGN.md §3: the one contract between collectors and
 * everything else, and the public import format. Parsing normalises: times to UTC
 * ISO strings with milliseconds, SHAs to lower case, unknown fields into `extra`.
 */

const ISO_WITH_ZONE = 'an ISO-8601 time with a zone, e.g. 2026-03-01T10:00:00Z or 2026-03-01T11:00:00+01:00';

/** A time with `Z` or an offset; stored as UTC. Local times without a zone are ambiguous and rejected. */
export const Time = z
  .iso.datetime({ offset: true, error: `expected ${ISO_WITH_ZONE}` })
  .transform((value, ctx) => {
    const millis = Date.parse(value);
    if (Number.isNaN(millis)) {
      ctx.addIssue({ code: 'custom', message: `not a real calendar time; expected ${ISO_WITH_ZONE}` });
      return z.NEVER;
    }
    return new Date(millis).toISOString();
  });

const hex = (min: number, max: number, what: string) =>
  z
    .string({ error: `expected ${what} (hex string)` })
    .regex(new RegExp(`^[0-9a-fA-F]{${min},${max}}$`), `expected ${what}: ${min}-${max} hex characters`)
    .transform((sha) => sha.toLowerCase());

/** A full object id: 40 hex characters (SHA-1) or 64 (SHA-256). */
export const FullSha = hex(40, 64, 'a full commit SHA');
/** Deployments may name a short SHA (7+ characters); derive resolves it against the commit graph. */
export const ShaOrPrefix = hex(7, 64, 'a commit SHA');

const Name = z.string({ error: 'expected a non-empty string' }).trim().min(1, 'expected a non-empty string').max(1000);
const Text = z.string({ error: 'expected a string' }).max(1_000_000);
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);
const list = <T extends z.ZodType>(item: T) =>
  z.array(item, { error: 'expected an array' }).nullish().transform((value) => value ?? []);

export const DeploymentStatus = z.enum(['success', 'failure', 'in_progress', 'cancelled'], {
  error: 'expected one of success, failure, in_progress, cancelled',
});
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

const commitFields = {
  kind: z.literal('commit'),
  repo: Name,
  sha: FullSha,
  parents: list(FullSha),
  author: optional(Text),
  authored_at: Time,
  committed_at: optional(Time),
  message: optional(Text),
};

const pullRequestFields = {
  kind: z.literal('pull_request'),
  repo: Name,
  number: z.number({ error: 'expected a pull request number' }).int('expected a whole number').positive('expected a positive number'),
  title: optional(Text),
  author: optional(Text),
  created_at: Time,
  first_review_at: optional(Time),
  merged_at: optional(Time),
  merge_sha: optional(FullSha),
  base: optional(Text),
  commits: list(FullSha),
  labels: list(Text),
};

const deploymentFields = {
  kind: z.literal('deployment'),
  id: Name,
  service: Name,
  environment: Name,
  finished_at: Time,
  status: DeploymentStatus,
  source: optional(Name),
  repo: optional(Name),
  sha: optional(ShaOrPrefix),
  version: optional(Text),
  started_at: optional(Time),
  rollback_of: optional(Name),
  url: optional(Text),
};

const incidentFields = {
  kind: z.literal('incident'),
  id: Name,
  service: Name,
  opened_at: Time,
  resolved_at: optional(Time),
  title: optional(Text),
  severity: optional(Text),
  source: optional(Name),
  deployment: optional(Name),
  url: optional(Text),
};

/** `{ a: string | undefined }` -> `{ a?: string }`: fields that may be absent are optional keys. */
type OptionalWhenUndefined<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type EventOf<Shape extends z.ZodRawShape> = Simplify<
  OptionalWhenUndefined<z.output<z.ZodObject<Shape>>> & { extra: Record<string, string> }
>;

/** Unknown fields are kept, not rejected: strings as they are, anything else as JSON. */
function withExtra<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = new Set(Object.keys(shape));
  return z.looseObject(shape).transform((value) => {
    const event: Record<string, unknown> = {};
    const extra: Record<string, string> = {};
    for (const [key, fieldValue] of Object.entries(value)) {
      if (known.has(key)) {
        if (fieldValue !== undefined) event[key] = fieldValue;
      } else if (key !== 'extra') {
        extra[key] = typeof fieldValue === 'string' ? fieldValue : JSON.stringify(fieldValue);
      }
    }
    const given = (value as { extra?: unknown }).extra;
    if (given && typeof given === 'object' && !Array.isArray(given)) {
      for (const [key, fieldValue] of Object.entries(given)) {
        extra[key] = typeof fieldValue === 'string' ? fieldValue : JSON.stringify(fieldValue);
      }
    }
    return { ...event, extra } as EventOf<Shape>;
  });
}

export const CommitEvent = withExtra(commitFields);
export type CommitEvent = z.output<typeof CommitEvent>;
export const PullRequestEvent = withExtra(pullRequestFields);
export type PullRequestEvent = z.output<typeof PullRequestEvent>;
export const DeploymentEvent = withExtra(deploymentFields);
export type DeploymentEvent = z.output<typeof DeploymentEvent>;
export const IncidentEvent = withExtra(incidentFields);
export type IncidentEvent = z.output<typeof IncidentEvent>;

export const eventSchemas = {
  commit: CommitEvent,
  pull_request: PullRequestEvent,
  deployment: DeploymentEvent,
  incident: IncidentEvent,
} as const;

export type EventKind = keyof typeof eventSchemas;
export const eventKinds = Object.keys(eventSchemas) as EventKind[];
export type CanonicalEvent = CommitEvent | PullRequestEvent | DeploymentEvent | IncidentEvent;

/** The input shapes (before normalisation), for `dora schema` and for code that builds events. */
export const eventInputShapes = {
  commit: z.object(commitFields),
  pull_request: z.object(pullRequestFields),
  deployment: z.object(deploymentFields),
  incident: z.object(incidentFields),
} as const;
export type EventInput<K extends EventKind> = z.input<(typeof eventInputShapes)[K]>;
