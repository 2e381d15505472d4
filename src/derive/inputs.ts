import { createHash } from 'node:crypto';

/** Rows of one kind behind a service or repository: how many, and the latest `ingested_at`. */
export type Stat = [count: number, latest: string];

/**
 * What a service's derivation is made of, cheap to read from the store: the settings, and
 * counts and latest ingestion times of its inputs. A change in any of them derives the service
 * again; a change only in its deployments and its repositories' commits and PRs may be an
 * append (append.ts).
 */
export interface DeriveInputs {
  version: number;
  environments: string[];
  windowMs: number;
  deployments: Stat | null;
  incidents: Stat | null;
  /** Other services' incidents that name one of its deployments. */
  naming: Stat | null;
  /**
   * Other services' deployments its own incidents name: one arriving or changing after the
   * incident moves the incident's link (its own deployments are in `deployments`). Absent when
   * there are none, so the fingerprints of those services stay what they were before this input.
   */
  named?: Stat;
  /** `dora link` / `dora unlink` decisions touching it. */
  overrides: Stat | null;
  /** A monorepo service's path globs decide which changes are its own. */
  paths: string[];
  /** Per repository it may read: [repo, commits, pull requests]. */
  repos: [string, Stat | null, Stat | null][];
}

export const fingerprintOf = (inputs: DeriveInputs) => createHash('sha256').update(JSON.stringify(inputs)).digest('hex');

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Why a change from `before` to `now` cannot be an append (undefined when it may be): anything
 * but new deployments, commits and pull requests needs the full derivation.
 */
export function notAnAppend(before: DeriveInputs, now: DeriveInputs): string | undefined {
  if (before.version !== now.version || !same(before.environments, now.environments) || before.windowMs !== now.windowMs) {
    return 'the derivation settings changed';
  }
  if (now.paths.length > 0) return 'a monorepo service (paths) is always derived in full';
  if (!same(before.incidents, now.incidents)) return 'its incidents changed';
  if (!same(before.naming, now.naming)) return 'incidents naming its deployments changed';
  if (!same(before.named, now.named)) return 'deployments its incidents name changed';
  if (!same(before.overrides, now.overrides)) return 'link decisions changed';
  if (!same(before.paths, now.paths)) return 'its paths changed';
  if (!same(before.repos.map(([repo]) => repo), now.repos.map(([repo]) => repo))) return 'its repositories changed';
  if (!before.deployments || !now.deployments) return 'it had no deployments';
  return undefined;
}
