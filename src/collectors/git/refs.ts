import { git, GitError } from './process.js';

/** A branch, remote-tracking branch or tag, with the commit it finally points at. */
export interface Ref {
  /** Full name: `refs/heads/main`, `refs/tags/v1.2.0`. */
  name: string;
  /** The object the ref names: a commit, or for an annotated tag the tag object. */
  object: string;
  /** `commit`, `tag`, `tree` or `blob`. */
  type: string;
  /** The object after peeling tags (`ref^{}`), and its type: tags may point at trees or blobs. */
  peeled: string;
  peeledType: string;
  /** Unix seconds: an annotated tag's tagger date, else the commit's committer date; undefined when neither is known. */
  created: number | undefined;
}

const FORMAT = ['%(refname)', '%(objectname)', '%(objecttype)', '%(creatordate:unix)'].join('%00');

/** Every branch, remote-tracking branch and tag. Two git processes, whatever the number of refs. */
export async function listRefs(cwd: string): Promise<Ref[]> {
  const listing = await git(['for-each-ref', `--format=${FORMAT}`, 'refs/heads', 'refs/remotes', 'refs/tags'], { cwd });
  const rows = listing
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\0'))
    // refs/remotes/origin/HEAD is a symbolic alias of a branch already listed.
    .filter(([name]) => !name!.endsWith('/HEAD'));
  if (rows.length === 0) return [];
  // `^{}` peels nested tags down to the first object that is not a tag.
  const peeled = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    cwd,
    input: rows.map(([name]) => `${name}^{}\n`).join(''),
  });
  const answers = peeled.split('\n');
  return rows.map(([name = '', object = '', type = '', created = ''], index) => {
    const [peeledObject = '', peeledType = 'missing'] = (answers[index] ?? '').split(' ');
    return { name, object, type, peeled: peeledObject, peeledType, created: created ? Number(created) : undefined };
  });
}

/** The commit HEAD points at, or undefined in a repository without commits. */
export async function headCommit(cwd: string): Promise<string | undefined> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd })) || undefined;
  } catch (error) {
    if (error instanceof GitError && error.exitStatus === 1) return undefined;
    throw error;
  }
}

export const shortRef = (name: string) => name.replace(/^refs\/(heads|tags|remotes)\//, '');

/**
 * A tag pattern as `git tag --list` reads it: `*` matches any run of characters
 * (slashes too), `?` one character, `[...]` a class (`[!...]` negated).
 */
export function tagMatcher(patterns: string[]): (tag: string) => boolean {
  const expressions = patterns.map((pattern) => {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const char = pattern[i]!;
      if (char === '*') source += '.*';
      else if (char === '?') source += '.';
      else if (char === '[') {
        const end = pattern.indexOf(']', i + 2);
        if (end === -1) source += '\\[';
        else {
          const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
          source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
          i = end;
        }
      } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
    }
    return new RegExp(`^${source}$`);
  });
  return (tag) => expressions.some((expression) => expression.test(tag));
}
