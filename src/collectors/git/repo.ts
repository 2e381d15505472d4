import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { git, GitError } from './process.js';

/** A repository opened for reading: where it is, what it is called in the store, what is missing. */
export interface Repo {
  /** Absolute path given by the user (working tree or bare repository). */
  path: string;
  bare: boolean;
  /** Stable name used as `repo` in every event and as the cursor scope. */
  name: string;
  /** Boundary commits of a shallow clone (their parents are not in the clone); empty when complete. */
  shallow: string[];
}

/** Open `path` as a git repository, or say clearly why it is not one. */
export async function openRepo(path: string, configuredName?: string): Promise<Repo> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new GitError(`${path}: no such directory`, '', null);
  if (!statSync(absolute).isDirectory()) throw new GitError(`${path}: not a directory (expected the folder of a git repository)`, '', null);
  let answer: string;
  try {
    answer = await git(['rev-parse', '--is-bare-repository', '--absolute-git-dir', '--git-path', 'shallow'], { cwd: absolute });
  } catch (error) {
    if (error instanceof GitError && /not a git repository/i.test(error.stderr)) {
      throw new GitError(`${path} is not a git repository`, error.stderr, error.exitStatus, 'pass the folder of a clone, or of a bare repository, with --repo (sources.git[].repo)');
    }
    throw error;
  }
  const [bareFlag, gitDir = absolute, shallowPath = ''] = answer.split('\n');
  const bare = bareFlag === 'true';
  const shallowFile = resolve(absolute, shallowPath);
  const shallow = existsSync(shallowFile) ? readFileSync(shallowFile, 'utf8').split('\n').filter(Boolean) : [];
  const top = bare ? gitDir : await git(['rev-parse', '--show-toplevel'], { cwd: absolute });
  const name = configuredName ?? (await originName(absolute)) ?? basename(top).replace(/\.git$/, '');
  return { path: absolute, bare, name, shallow };
}

/**
 * `owner/name` from the origin remote (`git@github.com:acme/api.git`,
 * `https://github.com/acme/api`), so commits from a clone line up with what the
 * GitHub collector stores for the same repository. Local paths give no name.
 * The URL itself is never printed: it may carry credentials.
 */
async function originName(cwd: string): Promise<string | undefined> {
  let url: string;
  try {
    url = await git(['config', '--get', 'remote.origin.url'], { cwd });
  } catch {
    return undefined;
  }
  return repoNameFromUrl(url);
}

export function repoNameFromUrl(url: string): string | undefined {
  let path: string | undefined;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'file:' || !parsed.hostname) return undefined;
      path = parsed.pathname;
    } catch {
      return undefined;
    }
  } else if (scp && scp[1]!.length > 1) {
    // scp-like `user@host:path`; a one-letter "host" is a Windows drive (C:\repo).
    path = scp[2];
  }
  if (!path) return undefined;
  const name = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  return name.includes('/') ? name : undefined;
}

/** The catalog service that lists this repository, else its name without the owner (DESIGN §6). */
export function serviceFor(repoName: string, services: Record<string, { repos: string[] }>): string {
  const wanted = repoName.toLowerCase();
  for (const [service, entry] of Object.entries(services)) {
    if (entry.repos.some((repo) => repo.toLowerCase() === wanted)) return service;
  }
  return repoName.split('/').pop() ?? repoName;
}
