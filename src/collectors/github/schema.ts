import { z } from 'zod';
import type { Logger } from '../../log.js';

/**
 * zod for the parts of GitHub's GraphQL answers the collector uses (queries.ts asks
 * for exactly these). Lists are parsed item by item: one malformed node is reported
 * with where it came from and skipped; the rest of the page is kept.
 */

/** `author`/`creator` is null when the account was deleted (GitHub's "ghost"). */
const Login = z.object({ login: z.string() }).nullish();
const nodesOf = <T extends z.ZodType>(item: T) => z.object({ nodes: z.array(item.nullable()).nullish() }).nullish();

export const PageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() });
export type PageInfo = z.infer<typeof PageInfo>;

export const RateLimit = z.object({ cost: z.number(), remaining: z.number(), resetAt: z.string(), limit: z.number() });
export type RateLimit = z.infer<typeof RateLimit>;

export const CommitNode = z.object({
  oid: z.string(),
  authoredDate: z.string(),
  committedDate: z.string(),
  message: z.string().nullish(),
  author: z.object({ name: z.string().nullish(), user: Login }).nullish(),
  parents: nodesOf(z.object({ oid: z.string() })),
});
export type CommitNode = z.infer<typeof CommitNode>;

const PullCommitNode = z.object({ commit: z.unknown() });

export const PullNode = z.object({
  number: z.number().int(),
  title: z.string(),
  url: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  mergedAt: z.string().nullish(),
  baseRefName: z.string(),
  author: Login,
  mergeCommit: z.object({ oid: z.string() }).nullish(),
  labels: nodesOf(z.object({ name: z.string() })),
  reviews: nodesOf(z.object({ submittedAt: z.string().nullish(), author: Login })),
  commits: z.object({ totalCount: z.number(), pageInfo: PageInfo, nodes: z.array(PullCommitNode.nullable()).nullish() }),
});
export type PullNode = z.infer<typeof PullNode>;

export const DeploymentNode = z.object({
  databaseId: z.number().int(),
  environment: z.string().nullish(),
  createdAt: z.string(),
  updatedAt: z.string(),
  commitOid: z.string(),
  task: z.string().nullish(),
  ref: z.object({ name: z.string() }).nullish(),
  creator: Login,
  statuses: z
    .object({
      totalCount: z.number(),
      nodes: z.array(z.object({ state: z.string(), createdAt: z.string(), environmentUrl: z.string().nullish(), logUrl: z.string().nullish() }).nullable()).nullish(),
    })
    .nullish(),
});
export type DeploymentNode = z.infer<typeof DeploymentNode>;

export const ReleaseNode = z.object({
  databaseId: z.number().int(),
  name: z.string().nullish(),
  tagName: z.string(),
  url: z.string(),
  createdAt: z.string(),
  publishedAt: z.string().nullish(),
  isDraft: z.boolean(),
  isPrerelease: z.boolean(),
  tagCommit: z.object({ oid: z.string() }).nullish(),
});
export type ReleaseNode = z.infer<typeof ReleaseNode>;

export const IncidentNode = z.object({
  number: z.number().int(),
  title: z.string(),
  url: z.string(),
  body: z.string().nullish(),
  state: z.enum(['OPEN', 'CLOSED']),
  stateReason: z.string().nullish(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullish(),
  author: Login,
  labels: nodesOf(z.object({ name: z.string() })),
});
export type IncidentNode = z.infer<typeof IncidentNode>;

export const RepoNode = z.object({
  nameWithOwner: z.string(),
  isArchived: z.boolean(),
  isFork: z.boolean(),
  defaultBranchRef: z.object({ name: z.string() }).nullish(),
});
export type RepoNode = z.infer<typeof RepoNode>;

/** A connection as it arrives: nodes unparsed until `parseNodes`. */
export const RawConnection = z.object({ pageInfo: PageInfo, nodes: z.array(z.unknown()).nullish() });
export type RawConnection = z.infer<typeof RawConnection>;

/** A page of parsed nodes with the cursor to the next one. */
export interface Page<Node> {
  nodes: Node[];
  pageInfo: PageInfo;
}

/** Parse each node on its own; a bad one is logged with where it came from (`acme/api pull request #12`) and skipped. */
export function parseNodes<T extends z.ZodType>(
  schema: T,
  nodes: readonly unknown[] | null | undefined,
  where: (node: unknown, index: number) => string,
  log: Logger,
): z.output<T>[] {
  const parsed: z.output<T>[] = [];
  (nodes ?? []).forEach((node, index) => {
    if (node === null || node === undefined) return;
    const result = schema.safeParse(node);
    if (result.success) parsed.push(result.data);
    else {
      const issue = result.error.issues[0];
      log.warn('github node skipped: unexpected shape', { where: where(node, index), field: issue?.path.join('.'), reason: issue?.message });
    }
  });
  return parsed;
}

/** Where a node came from, for messages: `acme/api pull request #12`, else its position in the page. */
export function describeNode(repo: string, kind: string) {
  return (node: unknown, index: number): string => {
    const number = (node as { number?: unknown } | null)?.number ?? (node as { databaseId?: unknown } | null)?.databaseId;
    const oid = (node as { oid?: unknown } | null)?.oid;
    if (typeof number === 'number') return `${repo} ${kind} #${number}`;
    if (typeof oid === 'string') return `${repo} ${kind} ${oid}`;
    return `${repo} ${kind} at position ${index + 1} of the page`;
  };
}
