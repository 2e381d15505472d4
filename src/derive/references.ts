import type { RepoData } from './changes.js';
import type { ProductionDeployment } from './types.js';

/**
 * What an incident's text names (its title, and the description and custom fields the
 * incident collectors keep in `extra`): a deployment id, a release version of the
 * service, or a commit.
 */

/** Id-like runs of text: `gha-run-4821`, `heroku:shop-prod:v42`, `github:acme/api:1234` (ending on a letter or digit). */
const ID_TOKEN = /[A-Za-z0-9][A-Za-z0-9_.:/#@+-]*[A-Za-z0-9]/g;

/** Deployment id (lower case) → ordinal; built once per service. */
export function idIndex(deployments: readonly ProductionDeployment[]): Map<string, number> {
  return new Map(deployments.map((deployment, ordinal) => [deployment.id.toLowerCase(), ordinal]));
}

/** The deployment whose id the text names as a whole token (issue 7); the latest when several are. -1 when none. */
export function namedDeploymentId(text: string, index: ReadonlyMap<string, number>): number {
  let found = -1;
  for (const [token] of text.matchAll(ID_TOKEN)) found = Math.max(found, index.get(token.toLowerCase()) ?? -1);
  return found;
}

/** 7-40 hex characters with at least one digit and one letter, so "deadbee" or "1234567" are not taken for SHAs. */
const SHA = /\b[0-9a-f]{7,40}\b/gi;

export function shasIn(text: string): string[] {
  const found = [...text.matchAll(SHA)].map((match) => match[0].toLowerCase()).filter((token) => /\d/.test(token) && /[a-f]/.test(token));
  return [...new Set(found)];
}

/** Words of a text that could be release versions: `v44`, `v1.4.2`, `production/2026-03-01` and its parts. */
function versionTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  for (const [word] of text.matchAll(/[A-Za-z0-9._/-]+/g)) {
    const trimmed = word.replace(/[.\/-]+$/, '').toLowerCase();
    tokens.add(trimmed);
    for (const part of trimmed.split('/')) tokens.add(part);
  }
  return tokens;
}

/** Release version (lower case) → the ordinals of the deployments that carry it; built once per service. */
export function versionIndex(deployments: readonly ProductionDeployment[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  deployments.forEach((deployment, ordinal) => {
    const version = deployment.version.trim().toLowerCase();
    if (version.length < 2) return;
    index.set(version, [...(index.get(version) ?? []), ordinal]);
  });
  return index;
}

/**
 * The deployment whose release version the text names, as a whole word (`v44` in
 * "500s since v44", `"release":"v43"` in custom fields; not `v4` inside `v44`). When
 * several are named, the latest that finished at or before the incident opened wins,
 * else the earliest after it.
 */
export function namedVersion(text: string, index: ReadonlyMap<string, number[]>, deployments: readonly ProductionDeployment[], openedAt: number): number {
  if (index.size === 0) return -1;
  let before = -1;
  let after = -1;
  for (const token of versionTokens(text)) {
    for (const ordinal of index.get(token) ?? []) {
      if ((deployments[ordinal] as ProductionDeployment).finishedAt <= openedAt) before = Math.max(before, ordinal);
      else if (after === -1 || ordinal < after) after = ordinal;
    }
  }
  return before >= 0 ? before : after;
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
