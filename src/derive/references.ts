import type { RepoData } from './changes.js';
import type { ProductionDeployment } from './types.js';

/**
 * What an incident's text names (its title, and the description and custom fields the
 * incident collectors keep in `extra`): a release version of the service, or a commit.
 */

/** 7-40 hex characters with at least one digit and one letter, so "deadbee" or "1234567" are not taken for SHAs. */
const SHA = /\b[0-9a-f]{7,40}\b/gi;

export function shasIn(text: string): string[] {
  const found = [...text.matchAll(SHA)].map((match) => match[0].toLowerCase()).filter((token) => /\d/.test(token) && /[a-f]/.test(token));
  return [...new Set(found)];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The deployment whose release version the text names, as a whole token (`v44` in
 * "500s since v44", `"release":"v43"` in custom fields; not `v4` inside `v44`). When
 * several are named, the latest that finished at or before the incident opened wins.
 */
export function namedVersion(text: string, deployments: readonly ProductionDeployment[], openedAt: number): number {
  let best = -1;
  const versions = new Map<string, boolean>();
  deployments.forEach((deployment, ordinal) => {
    const version = deployment.version;
    if (!version || version.length < 2) return;
    let named = versions.get(version);
    if (named === undefined) {
      named = new RegExp(`(^|[^A-Za-z0-9._-])${escapeRegExp(version)}($|[^A-Za-z0-9_-]|\\.(?![0-9]))`, 'i').test(text);
      versions.set(version, named);
    }
    if (!named) return;
    const current = best >= 0 ? (deployments[best] as ProductionDeployment) : undefined;
    const fits = deployment.finishedAt <= openedAt;
    const currentFits = current ? current.finishedAt <= openedAt : false;
    if (!current || (fits && !currentFits) || (fits === currentFits && deployment.finishedAt >= current.finishedAt)) best = ordinal;
  });
  return best;
}

/**
 * The deployment that first shipped a commit the text (or `extra.sha`) names: the SHA,
 * full or a unique 7+ prefix, is looked up in the service's repositories and mapped
 * through the commit-graph diff. -1 when no named commit has shipped.
 */
export function namedCommit(
  shas: readonly string[],
  repos: ReadonlyMap<string, RepoData>,
  shippedBy: ReadonlyMap<string, Int32Array>,
): { ordinal: number; sha: string } {
  for (const sha of shas) {
    for (const [repo, data] of repos) {
      const resolved = data.graph.resolve(sha);
      if (resolved.status !== 'resolved') continue;
      const ordinal = shippedBy.get(repo)?.[resolved.index] ?? -1;
      if (ordinal >= 0) return { ordinal, sha };
    }
  }
  return { ordinal: -1, sha: '' };
}
