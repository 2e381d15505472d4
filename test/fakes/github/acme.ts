import { idSequence, nameOnly, person, RepoBuilder } from './builder.js';
import { DAY, emptyRepo, HOUR, MINUTE, type FakeOrg } from './model.js';

/**
 * The generated organisation `acme`, scripted so every figure a test asserts can be
 * worked out by hand from this file. Times start Monday 2026-03-02 09:00 UTC (T0);
 * the collector runs at NOW = 2026-03-31 00:00 UTC.
 *
 * - acme/api: merge, squash and rebase merges, GitHub Deployments with status
 *   histories (success then inactive, a failure then a retry, staging, one still in
 *   progress, one with no status at all), incident issues naming a SHA, a deployment
 *   id, and a SHA GitHub does not know; a deleted PR author; a name-only committer.
 * - acme/web: squash merges, released through GitHub Releases (one draft, one pre-release).
 * - acme/worker: 60 merged PRs (two pages), one PR with 25 commits, 204 commits on
 *   main (three history pages), deployments to an environment named `prod`.
 * - acme/legacy (archived), acme/tool-fork (a fork), and 97 empty acme/sandbox-NNN:
 *   102 repositories, of which GitHub lists 100 when archived and forks are filtered.
 */
export const T0 = Date.UTC(2026, 2, 2, 9);
export const NOW = Date.UTC(2026, 2, 31);

export function acmeOrg() {
  const ids = idSequence();
  const alice = person('alice');
  const carol = person('carol');
  const dave = person('dave');

  // ---- acme/api
  const api = new RepoBuilder('acme', 'api', ids);
  const apiRoot = api.commit('Initial commit', T0 - 10 * DAY, alice);
  api.repo.branches['release/1.x'] = apiRoot;
  // #1 merge commit: authored 09:00 and 10:00, opened 11:00, approved 13:00, merged 14:00.
  const pr1 = api.pull({ title: 'Add health endpoint', author: alice, start: T0, commits: 2, createdAfter: 2 * HOUR, reviews: [{ author: 'bob', state: 'APPROVED', after: 2 * HOUR }], mergedAfter: 3 * HOUR, strategy: 'merge', labels: ['feature'] });
  const d1 = api.deploy('production', pr1.mergeCommit!, T0 + 5 * HOUR + 10 * MINUTE, [['QUEUED', 0], ['IN_PROGRESS', 1], ['SUCCESS', 10]]);
  // #2 squash: authored day 1 09:00-11:00, opened 12:00; carol's own comment at 12:10 is no review; bob approves 12:30; merged 14:00.
  const pr2 = api.pull({ title: 'Cache sessions', author: carol, start: T0 + DAY, commits: 3, createdAfter: 3 * HOUR, reviews: [{ author: 'carol', state: 'COMMENTED', after: 10 * MINUTE }, { author: 'bob', state: 'APPROVED', after: 30 * MINUTE }], mergedAfter: 2 * HOUR, strategy: 'squash' });
  // Succeeds at 14:20; d1 becomes INACTIVE then (and stays a success).
  const d2 = api.deploy('production', pr2.mergeCommit!, T0 + DAY + 5 * HOUR + 10 * MINUTE, [['QUEUED', 0], ['IN_PROGRESS', 1], ['SUCCESS', 10]]);
  const inc3 = api.issue({ title: '5xx on login', body: `Errors since ${pr2.mergeCommit!.slice(0, 7)} went out.`, labels: ['incident', 'sev2'], at: T0 + DAY + 6 * HOUR, closedAfter: 90 * MINUTE });
  // #4 rebase, by a since-deleted account: authored day 2 09:00 and 10:00, opened 11:00; changes requested 12:00, approved 13:00; merged 14:00.
  const pr4 = api.pull({ title: 'Rate limit login', author: null, start: T0 + 2 * DAY, commits: 2, createdAfter: 2 * HOUR, reviews: [{ author: 'bob', state: 'CHANGES_REQUESTED', after: HOUR }, { author: 'bob', state: 'APPROVED', after: 2 * HOUR }], mergedAfter: 3 * HOUR, strategy: 'rebase' });
  const d5 = api.deploy('staging', pr4.mergeCommit!, T0 + 2 * DAY + 5 * HOUR + 30 * MINUTE, [['QUEUED', 0], ['SUCCESS', 3]]);
  const d3 = api.deploy('production', pr4.mergeCommit!, T0 + 2 * DAY + 6 * HOUR, [['QUEUED', 0], ['IN_PROGRESS', 1], ['FAILURE', 8]]);
  const d4 = api.deploy('production', pr4.mergeCommit!, T0 + 2 * DAY + 7 * HOUR, [['QUEUED', 0], ['SUCCESS', 5]]);
  const p5 = api.commit('Bump dependencies', T0 + 3 * DAY, nameOnly('Build Bot'));
  api.pull({ title: 'WIP: new cache', author: person('bob'), start: T0 + 3 * DAY, commits: 1, createdAfter: HOUR });
  api.pull({ title: 'Abandoned idea', author: alice, start: T0 + 3 * DAY, commits: 1, createdAfter: HOUR, state: 'CLOSED' });
  const pr7 = api.pull({ title: 'Backport fix', author: alice, start: T0 + 3 * DAY, commits: 1, createdAfter: HOUR, mergedAfter: HOUR, base: 'release/1.x' });
  const inc8 = api.issue({ title: 'Checkout latency', body: `Rolled out in github:acme/api:${d4.databaseId}; p95 doubled.`, labels: ['incident'], at: T0 + 3 * DAY + 2 * HOUR });
  api.issue({ title: 'Typo on settings page', body: 'See 1a2b3c4d', labels: ['bug'], at: T0 + 3 * DAY + 3 * HOUR });
  const inc10 = api.issue({ title: 'Login loop', body: 'Maybe caused by 0123abc?', labels: ['incident', 'severity: high'], at: T0 + 3 * DAY + 5 * HOUR, closedAfter: 45 * MINUTE, author: null });
  // Still settling when the collector runs: one in progress, one without any status yet.
  const d7 = api.deploy('production', p5, NOW - 3 * DAY, []);
  const d6 = api.deploy('production', p5, NOW - 2 * DAY, [['QUEUED', 0], ['IN_PROGRESS', 1]]);

  // ---- acme/web: squash merges shipped by releases.
  const web = new RepoBuilder('acme', 'web', ids);
  web.commit('Initial commit', T0 - 20 * DAY, dave);
  const webPulls = [0, 1, 2].map((i) =>
    web.pull({ title: `Page ${i + 1}`, author: dave, start: T0 + (2 * i + 3) * DAY, commits: 2, createdAfter: 2 * HOUR, reviews: [{ author: 'erin', state: 'APPROVED', after: HOUR }], mergedAfter: 2 * HOUR, strategy: 'squash' }),
  );
  const v100 = web.release('v1.0.0', webPulls[0]!.mergeCommit!, T0 + 4 * DAY);
  const v110 = web.release('v1.1.0', webPulls[1]!.mergeCommit!, T0 + 6 * DAY);
  const rc = web.release('v1.2.0-rc.1', webPulls[2]!.mergeCommit!, T0 + 8 * DAY, { prerelease: true });
  const draft = web.release('v1.2.0', webPulls[2]!.mergeCommit!, NOW - DAY, { publishedAfter: null });

  // ---- acme/worker: 60 merge-commit PRs, 8 hours apart; every 10th is deployed to `prod`.
  const worker = new RepoBuilder('acme', 'worker', ids);
  worker.commit('Initial commit', T0 - 5 * DAY, person('erin'));
  const workerDeploys = [];
  const workerPulls = [];
  for (let i = 1; i <= 60; i++) {
    const pull = worker.pull({
      title: `Job ${i}`, author: person(i % 2 ? 'frank' : 'grace'), start: T0 + (i - 1) * 8 * HOUR, commits: i === 10 ? 25 : 2, spacing: i === 10 ? 0.1 : 1,
      createdAfter: 3 * HOUR, reviews: [{ author: 'erin', state: 'APPROVED', after: HOUR }], mergedAfter: 2 * HOUR, strategy: 'merge',
    });
    workerPulls.push(pull);
    if (i % 10 === 0) workerDeploys.push(worker.deploy('prod', pull.mergeCommit!, Date.parse(pull.mergedAt!) + 30 * MINUTE, [['QUEUED', 0], ['IN_PROGRESS', 2], ['SUCCESS', 12]]));
  }

  // ---- the rest of the organisation
  const legacy = new RepoBuilder('acme', 'legacy', ids);
  legacy.commit('Initial commit', T0, alice);
  legacy.repo.isArchived = true;
  const fork = new RepoBuilder('acme', 'tool-fork', ids);
  fork.commit('Initial commit', T0, alice);
  fork.repo.isFork = true;
  const sandboxes = Array.from({ length: 97 }, (_, i) => emptyRepo('acme', `sandbox-${String(i + 1).padStart(3, '0')}`));

  const org: FakeOrg = { login: 'acme', repos: [api.repo, web.repo, worker.repo, legacy.repo, fork.repo, ...sandboxes] };
  return {
    org,
    api: { builder: api, root: apiRoot, pr1, pr2, pr4, pr7, p5, d1, d2, d3, d4, d5, d6, d7, inc3, inc8, inc10 },
    web: { builder: web, pulls: webPulls, v100, v110, rc, draft },
    worker: { builder: worker, pulls: workerPulls, deploys: workerDeploys },
  };
}
