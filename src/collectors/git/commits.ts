import { isUtf8 } from 'node:buffer';
import type { CommitEvent } from '../../events/schemas.js';
import { gitBytes, gitRecords, type GitRun } from './process.js';

/**
 * Commits as canonical events, streamed from one `git log`. The revisions to
 * walk (and `^sha` exclusions: what an earlier run already read) go through
 * standard input, so any number of refs fits.
 */

// Seven NUL-terminated fields per commit (`-z` ends the record with a NUL too).
const FORMAT = 'tformat:%H%x00%P%x00%aN%x00%aE%x00%at%x00%ct%x00%B';
const FIELDS = 7;

const REVERTS = /This reverts commit ([0-9a-f]{7,64})/gi;
const CHERRY_PICKED = /\(cherry picked from commit ([0-9a-f]{7,64})\)/gi;

export interface CommitStats {
  commits: number;
  /** Commits whose message or author was not valid UTF-8 (decoded as Latin-1). */
  notUtf8: string[];
}

export interface Walk {
  tips: string[];
  /** Tips of an earlier run: their history is already stored. */
  exclude: string[];
  /** Parents git hides at a shallow clone's boundary, read from the objects. */
  realParents: Map<string, string[]>;
  /** Commits whose position in the walk to record (deployed commits). */
  watch: Set<string>;
}

/**
 * Walk `tips` minus `exclude` in topological order (children before parents)
 * and yield one commit event each. The position of each watched commit is
 * recorded in `positions`: a commit shown before another is never its ancestor,
 * which spares most ancestry questions about deployments.
 */
export async function* readCommits(
  repoName: string,
  run: GitRun,
  walk: Walk,
  stats: CommitStats,
  positions: Map<string, number>,
): AsyncGenerator<CommitEvent> {
  if (walk.tips.length === 0) return;
  // --ignore-missing: an excluded tip may have been garbage-collected since the last run.
  const args = ['log', '--stdin', '--ignore-missing', '--topo-order', '-z', '--encoding=UTF-8', `--format=${FORMAT}`];
  const input = [...walk.tips, ...walk.exclude.map((sha) => `^${sha}`)].join('\n') + '\n';
  for await (const [sha, parents, name, email, authored, committed, body] of gitRecords(args, { ...run, input }, FIELDS)) {
    const event = toCommitEvent(repoName, sha!, parents!, name!, email!, authored!, committed!, body!, stats);
    if (walk.watch.has(event.sha)) positions.set(event.sha, stats.commits);
    stats.commits++;
    const hidden = walk.realParents.get(event.sha);
    if (hidden) event.parents = hidden;
    yield event;
  }
}

function toCommitEvent(
  repo: string,
  shaBytes: Buffer,
  parentBytes: Buffer,
  nameBytes: Buffer,
  emailBytes: Buffer,
  authoredBytes: Buffer,
  committedBytes: Buffer,
  bodyBytes: Buffer,
  stats: CommitStats,
): CommitEvent {
  const sha = shaBytes.toString('latin1');
  let legacy = false;
  const text = (bytes: Buffer) => {
    if (isUtf8(bytes)) return bytes.toString('utf8');
    // No encoding header and not UTF-8: almost always a Latin-1 era commit. Keep every byte readable.
    legacy = true;
    return bytes.toString('latin1');
  };
  const message = text(bodyBytes).replace(/\s+$/, '');
  const author = text(nameBytes);
  const email = text(emailBytes);
  const extra: Record<string, string> = {};
  if (email) extra.author_email = email;
  const reverts = matches(REVERTS, message);
  if (reverts) extra.reverts = reverts;
  const picked = matches(CHERRY_PICKED, message);
  if (picked) extra.cherry_picked_from = picked;
  if (legacy) {
    extra.encoding = 'not UTF-8, read as Latin-1';
    if (stats.notUtf8.length < 20) stats.notUtf8.push(sha);
  }
  const parents = parentBytes.length ? parentBytes.toString('latin1').split(' ') : [];
  return {
    kind: 'commit',
    repo,
    sha,
    parents,
    author,
    authored_at: seconds(authoredBytes),
    committed_at: seconds(committedBytes),
    message,
    extra,
  };
}

/**
 * Unix seconds as a canonical UTC ISO string. Called twice per commit, so the
 * date part is cached per day (history runs in days) and the time formatted by hand.
 */
let cachedDay = NaN;
let cachedDate = '';
const pad = (value: number) => (value < 10 ? `0${value}` : `${value}`);
function seconds(bytes: Buffer): string {
  const total = Number(bytes.toString('latin1'));
  const day = Math.floor(total / 86_400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const rest = total - day * 86_400;
  return `${cachedDate}${pad(Math.floor(rest / 3600))}:${pad(Math.floor(rest / 60) % 60)}:${pad(rest % 60)}.000Z`;
}

/** Every SHA a message names this way, lower case, space-separated; undefined when none. */
function matches(pattern: RegExp, message: string): string | undefined {
  if (!message.includes(pattern === REVERTS ? 'reverts commit' : 'cherry picked')) return undefined;
  const found = [...message.matchAll(pattern)].map((match) => match[1]!.toLowerCase());
  return found.length ? [...new Set(found)].join(' ') : undefined;
}

/**
 * A shallow clone's boundary commits show no parents in `git log`, yet their
 * objects still name them. Reading the real parents keeps the graph honest: the
 * parents are known to exist, only their history is missing.
 */
export async function boundaryParents(run: GitRun, boundary: string[]): Promise<Map<string, string[]>> {
  const parents = new Map<string, string[]>();
  if (boundary.length === 0) return parents;
  const { stdout } = await gitBytes(['cat-file', '--batch'], { ...run, input: boundary.join('\n') + '\n' });
  let offset = 0;
  while (offset < stdout.length) {
    const headerEnd = stdout.indexOf(10, offset);
    const [sha = '', type = '', size = '0'] = stdout.subarray(offset, headerEnd).toString('latin1').split(' ');
    if (type === 'missing') {
      offset = headerEnd + 1;
      continue;
    }
    const body = stdout.subarray(headerEnd + 1, headerEnd + 1 + Number(size)).toString('latin1');
    offset = headerEnd + 1 + Number(size) + 1;
    if (type !== 'commit') continue;
    const header = body.slice(0, body.indexOf('\n\n'));
    parents.set(
      sha,
      header
        .split('\n')
        .filter((line) => line.startsWith('parent '))
        .map((line) => line.slice(7)),
    );
  }
  return parents;
}
