import type { RepoData } from './changes.js';
import type { Placement, ProductionDeployment } from './types.js';

/** Find a deployment's commit (a full SHA or a 7+ character prefix) among its candidate repositories, in order. */
export function placeDeployment(
  deployment: ProductionDeployment,
  candidates: readonly string[],
  repos: ReadonlyMap<string, RepoData>,
): Placement {
  const unplaced = (status: Placement['status'], repo: string, note: string): Placement => ({ status, repo, commit: -1, commitSha: '', note });
  if (!deployment.sha) return unplaced('no_sha', deployment.repo, 'the deployment names no commit');
  if (candidates.length === 0) {
    return unplaced(
      'no_repo',
      '',
      `no repository known for ${deployment.service}: give the deployment a repo, or list repos for it in the service catalog`,
    );
  }
  const notes: string[] = [];
  for (const repo of candidates) {
    const graph = repos.get(repo)?.graph;
    if (!graph || graph.size === 0) {
      notes.push(`no commits of ${repo} in the store`);
      continue;
    }
    const resolved = graph.resolve(deployment.sha);
    if (resolved.status === 'resolved') {
      return { status: 'resolved', repo, commit: resolved.index, commitSha: graph.shas[resolved.index] as string, note: '' };
    }
    if (resolved.status === 'ambiguous') {
      return unplaced('ambiguous', repo, `${deployment.sha} matches ${resolved.candidates.length} commits of ${repo}`);
    }
    notes.push(`${deployment.sha} is not among the ${graph.size} stored commits of ${repo}`);
  }
  return unplaced('unknown', candidates.length === 1 ? (candidates[0] as string) : '', notes.join('; '));
}
