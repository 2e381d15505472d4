import type { RepoData } from './changes.js';
import type { Placement, ProductionDeployment } from './types.js';

export interface RollbackFacts {
  /** The later deployment that rolled this one back. */
  rolledBackBy: string;
  method: '' | 'explicit' | 'inferred';
  /** Set on the rollback itself: the deployment it returns from. */
  rollbackOf: string;
  isRollback: boolean;
  /** Why, fit to print. */
  rollbackNote: string;
  rolledBackNote: string;
}

const short = (sha: string) => sha.slice(0, 7);

/**
 * Rollbacks of one service's production deployments, in shipping order. The source's
 * word comes first (`rollback_of`, e.g. Heroku's "Rollback to vN"); otherwise, for
 * sources that do not say (GitHub deployments, deploy tags, CI events), a deployment
 * whose commit is a strict ancestor of the previous deployment's commit is inferred
 * to roll that one back. This is the one place the inference lives.
 */
export function detectRollbacks(
  deployments: readonly ProductionDeployment[],
  placements: readonly Placement[],
  repos: ReadonlyMap<string, RepoData>,
): RollbackFacts[] {
  const facts: RollbackFacts[] = deployments.map(() => ({
    rolledBackBy: '',
    method: '',
    rollbackOf: '',
    isRollback: false,
    rollbackNote: '',
    rolledBackNote: '',
  }));
  const ordinalOf = new Map(deployments.map((deployment, ordinal) => [deployment.id, ordinal]));
  deployments.forEach((deployment, ordinal) => {
    const fact = facts[ordinal] as RollbackFacts;
    if (deployment.rollbackOf) {
      fact.isRollback = true;
      fact.rollbackOf = deployment.rollbackOf;
      fact.method = 'explicit';
      const target = ordinalOf.get(deployment.rollbackOf);
      if (target === undefined) {
        fact.rollbackNote = `rollback of ${deployment.rollbackOf} (from the source; not a known production deployment of ${deployment.service})`;
        return;
      }
      fact.rollbackNote = `rollback of ${deployment.rollbackOf} (rollback_of from the source)`;
      const targetFact = facts[target] as RollbackFacts;
      if (!targetFact.rolledBackBy) {
        targetFact.rolledBackBy = deployment.id;
        targetFact.method = 'explicit';
        targetFact.rolledBackNote = `rolled back by ${deployment.id} (rollback_of from the source)`;
      }
      return;
    }
    if (ordinal === 0) return;
    const previous = deployments[ordinal - 1] as ProductionDeployment;
    const here = placements[ordinal] as Placement;
    const before = placements[ordinal - 1] as Placement;
    if (here.status !== 'resolved' || before.status !== 'resolved' || here.repo !== before.repo) return;
    const graph = repos.get(here.repo)?.graph;
    if (!graph || !graph.isStrictAncestor(here.commit, before.commit)) return;
    fact.isRollback = true;
    fact.rollbackOf = previous.id;
    fact.method = 'inferred';
    const why = `it deployed ${short(here.commitSha)}, a strict ancestor of ${short(before.commitSha)}`;
    fact.rollbackNote = `inferred rollback of ${previous.id} (${why})`;
    const previousFact = facts[ordinal - 1] as RollbackFacts;
    if (!previousFact.rolledBackBy) {
      previousFact.rolledBackBy = deployment.id;
      previousFact.method = 'inferred';
      previousFact.rolledBackNote = `rolled back by ${deployment.id} (inferred: ${why})`;
    }
  });
  return facts;
}
