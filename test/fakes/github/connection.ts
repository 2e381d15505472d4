/** An error GitHub reports in `errors[]` with its `type` (NOT_FOUND, RATE_LIMITED, ...). */
export class GithubError extends Error {
  constructor(message: string, readonly type: string) {
    super(message);
  }
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
}

export interface Quirks {
  /**
   * Connections (by field name) that, like GitHub at times, claim another page after
   * a full last page, and then answer an empty page that still claims one, with no cursor.
   */
  phantomNextPage?: Set<string>;
}

const encode = (index: number) => Buffer.from(`cursor:v2:${index}`).toString('base64');

function decode(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) throw new GithubError(`\`${cursor}\` does not appear to be a valid cursor.`, 'INVALID_CURSOR_ARGUMENTS');
  return Number(match[1]);
}

/** A GraphQL connection over `items`, paged and checked the way GitHub pages. */
export function connection<T>(items: T[], args: PageArgs, field: string, quirks: Quirks = {}) {
  const size = args.first ?? args.last;
  if (size === null || size === undefined) {
    throw new GithubError(`You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`, 'MISSING_PAGINATION_BOUNDARIES');
  }
  if (size > 100 || size < 0) {
    const which = args.first !== null && args.first !== undefined ? 'first' : 'last';
    throw new GithubError(`Requesting ${size} records on the \`${field}\` connection exceeds the \`${which}\` limit of 100 records.`, 'EXCESSIVE_PAGE_SIZE');
  }
  const start = args.after ? decode(args.after) + 1 : args.first == null ? Math.max(0, items.length - size) : 0;
  const slice = items.slice(start, start + size);
  let hasNextPage = start + size < items.length;
  let endCursor: string | null = slice.length ? encode(start + slice.length - 1) : null;
  if (quirks.phantomNextPage?.has(field) && !hasNextPage && (slice.length === size || slice.length === 0)) {
    hasNextPage = true;
    if (slice.length === 0) endCursor = null;
  }
  return {
    totalCount: items.length,
    pageInfo: { hasNextPage, hasPreviousPage: start > 0, startCursor: slice.length ? encode(start) : null, endCursor },
    nodes: slice,
    edges: slice.map((node, index) => ({ cursor: encode(start + index), node })),
  };
}

type Order = { field: string; direction: 'ASC' | 'DESC' } | null | undefined;

/** Sort by the GitHub order argument (`{field: UPDATED_AT, direction: DESC}`) over `key(item, field)`. */
export function ordered<T>(items: T[], order: Order, fallback: { field: string; direction: 'ASC' | 'DESC' }, key: (item: T, field: string) => string | number): T[] {
  const { field, direction } = order ?? fallback;
  const sign = direction === 'DESC' ? -1 : 1;
  return [...items].sort((a, b) => {
    const x = key(a, field);
    const y = key(b, field);
    return x < y ? -sign : x > y ? sign : 0;
  });
}
