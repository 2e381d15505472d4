import type { Release, RollbackTarget, Verdict } from './types.js';

const HEROKU_ID = /^heroku:([^:]+):v(\d+)$/;

/**
 * The last release before `index` that stayed healthy: not failed by derive (no
 * attributed incident, not rolled back) and not judged `rollback` here.
 */
export function lastGoodRelease(history: readonly Release[], index: number, verdictOf: (id: string) => Verdict | undefined): Release | undefined {
  for (let position = index - 1; position >= 0; position--) {
    const candidate = history[position] as Release;
    if (candidate.failed || verdictOf(candidate.id) === 'rollback') continue;
    return candidate;
  }
  return undefined;
}

/**
 * How to return to `target`. Heroku releases (`heroku:<app>:v<N>`) roll back with the
 * platform's own command (it makes a new release from vN's slug and config); elsewhere
 * the deployment and commit to deploy again.
 */
export function rollbackTo(target: Release): RollbackTarget {
  const heroku = target.source === 'heroku' ? HEROKU_ID.exec(target.id) : null;
  const sha = target.commitSha || target.sha;
  const command = heroku ? `heroku releases:rollback v${heroku[2]} -a ${heroku[1]}` : '';
  const label = [target.version, sha ? sha.slice(0, 12) : ''].filter(Boolean).join(', ');
  return {
    id: target.id,
    version: target.version,
    sha,
    finishedAt: new Date(target.finishedAt).toISOString(),
    command,
    instruction: command || `deploy ${target.id}${label ? ` (${label})` : ''} again`,
  };
}
