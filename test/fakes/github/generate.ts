import { idSequence, person, RepoBuilder } from './builder.js';
import { DAY, HOUR, MINUTE, type FakeOrg } from './model.js';

export interface GeneratedOrgOptions {
  login?: string;
  repos: number;
  /** Merged PRs per repository, 4 hours apart, alternating merge and squash. */
  pulls: number;
  /** Every n-th PR is deployed to production. Default 5. */
  deployEvery?: number;
  /** The last PR merges this long before `end`. */
  end: number;
}

/** An organisation of any size for the benchmark: repositories of merged PRs, deployments and an incident each. */
export function generateOrg(options: GeneratedOrgOptions): FakeOrg {
  const ids = idSequence();
  const login = options.login ?? 'bench';
  const start = options.end - options.pulls * 4 * HOUR - DAY;
  const repos = [];
  for (let r = 0; r < options.repos; r++) {
    const repo = new RepoBuilder(login, `service-${String(r + 1).padStart(3, '0')}`, ids);
    repo.commit('Initial commit', start - DAY, person('founder'));
    for (let i = 0; i < options.pulls; i++) {
      const pull = repo.pull({
        title: `Change ${i + 1}`, author: person(['ana', 'ben', 'cy'][i % 3]!), start: start + i * 4 * HOUR, commits: 1 + (i % 4),
        spacing: 0.25, createdAfter: HOUR, reviews: [{ author: 'reviewer', state: 'APPROVED', after: 30 * MINUTE }], mergedAfter: HOUR,
        strategy: i % 2 ? 'squash' : 'merge',
      });
      if ((i + 1) % (options.deployEvery ?? 5) === 0) {
        repo.deploy('production', pull.mergeCommit!, Date.parse(pull.mergedAt!) + 10 * MINUTE, [['QUEUED', 0], ['IN_PROGRESS', 1], ['SUCCESS', 6]]);
      }
    }
    repo.issue({ title: 'Errors after deploy', body: `since ${repo.head().slice(0, 8)}`, labels: ['incident'], at: options.end - 2 * HOUR, closedAfter: 30 * MINUTE });
    repos.push(repo.repo);
  }
  return { login, repos };
}
