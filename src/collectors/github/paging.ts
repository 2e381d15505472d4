import type { z } from 'zod';
import type { CanonicalEvent } from '../../events/schemas.js';
import type { Logger } from '../../log.js';
import type { Batch } from '../types.js';
import { cursorValue, Watermark, type KindCursor, type Plan } from './cursor.js';
import { describeNode, parseNodes, RawConnection, type PageInfo } from './schema.js';

/**
 * The page after this one, or undefined. Never trusts `hasNextPage` alone: an empty
 * page, a missing cursor or a cursor seen before ends the paging with a warning
 * (GitHub has answered a full page of 100 with `hasNextPage` and then an empty page).
 */
export function nextCursor(pageInfo: PageInfo, nodeCount: number, seen: Set<string>, log: Logger, where: Record<string, unknown>): string | undefined {
  if (!pageInfo.hasNextPage) return undefined;
  const cursor = pageInfo.endCursor ?? undefined;
  if (nodeCount === 0 || cursor === undefined || seen.has(cursor)) {
    log.warn('GitHub reported another page but gave an empty page or a repeated cursor; stopping there', { ...where, endCursor: cursor ?? null });
    return undefined;
  }
  seen.add(cursor);
  return cursor;
}

export type KindName = 'commits' | 'pulls' | 'deployments' | 'releases' | 'incidents';

export interface KindSpec<Node> {
  kind: KindName;
  /** Words for messages: `pull request`. */
  noun: string;
  /** `desc`: newest first, the watermark known at the end; `asc`: oldest first, complete up to the last item. */
  order: 'desc' | 'asc';
  /** Stop at the first item older than the floor (false when GitHub already filters by time). */
  stopAtFloor: boolean;
  schema: z.ZodType<Node>;
  /** The time the connection is ordered by. */
  timeOf(node: Node): string;
  /** An item that may still change holds the watermark back to its time. */
  holds?(node: Node): boolean;
  /** Changes whenever the item does (`number@updatedAt`): an item read again unchanged is not written again. */
  versionOf(node: Node): string;
  fetch(after: string | undefined, plan: Plan): Promise<unknown>;
  toEvents(nodes: Node[]): Promise<CanonicalEvent[]>;
}

/** Keep a long first sync's memory flat: versions far below the watermark will not be saved anyway. */
function prune(recent: Map<string, string>, to: string | undefined, overlapMs: number): void {
  if (to === undefined) return;
  const floor = new Date(Date.parse(to) - overlapMs).toISOString();
  for (const [version, time] of recent) if (time < floor) recent.delete(version);
}

/** Page one kind of one repository, a batch per page, each with the cursor up to which the kind is complete. */
export async function* pageKind<Node>(
  spec: KindSpec<Node>,
  plan: Plan,
  repo: string,
  first: unknown,
  log: Logger,
): AsyncGenerator<Batch> {
  const scope = `${repo}:${spec.kind}`;
  const mark = new Watermark(plan.top);
  const seen = new Set<string>();
  // Versions of the items read, with their times: those within the overlap of the new watermark are saved.
  const recent = new Map<string, string>();
  const seenBelow = (to: string) => {
    const floor = new Date(Date.parse(to) - plan.overlapMs).toISOString();
    return [...recent].filter(([, time]) => time >= floor).map(([version]) => version).sort();
  };
  let page = first === undefined ? await spec.fetch(plan.resumeAfter, plan) : first;
  for (;;) {
    const connection = RawConnection.safeParse(page ?? { pageInfo: { hasNextPage: false }, nodes: [] });
    if (!connection.success) log.warn('github page skipped: unexpected shape', { repo, kind: spec.kind });
    const raw = connection.success ? connection.data : { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };
    const nodes = parseNodes(spec.schema, raw.nodes, describeNode(repo, spec.noun), log);
    const kept: Node[] = [];
    let reachedFloor = false;
    for (const node of nodes) {
      const time = new Date(spec.timeOf(node)).toISOString();
      if (spec.stopAtFloor && time < plan.floor) {
        reachedFloor = true;
        break;
      }
      mark.see(time, spec.holds?.(node) ?? false);
      const version = spec.versionOf(node);
      recent.set(version, time);
      if (recent.size > 5000) prune(recent, mark.value(), plan.overlapMs);
      if (!plan.seen.has(version)) kept.push(node);
    }
    const events = await spec.toEvents(kept);
    const after = reachedFloor ? undefined : nextCursor(raw.pageInfo, raw.nodes?.length ?? 0, seen, log, { repo, kind: spec.kind });
    const done = plan.previous !== undefined ? { to: plan.previous } : {};
    let cursor: KindCursor;
    if (after !== undefined && spec.order === 'desc') {
      const top = mark.value();
      cursor = { from: plan.from, ...done, ...(plan.seen.size ? { seen: [...plan.seen] } : {}), resume: { after, floor: plan.floor, ...(top ? { top } : {}) } };
    } else {
      const to = mark.value() ?? plan.previous ?? plan.floor;
      const versions = seenBelow(to);
      cursor = { from: plan.from, to, ...(versions.length ? { seen: versions } : {}) };
    }
    yield { events, cursor: { scope, value: cursorValue(cursor) } };
    if (after === undefined) return;
    page = await spec.fetch(after, plan);
  }
}
