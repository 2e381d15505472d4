import { connection, GithubError, ordered, type PageArgs, type Quirks } from './connection.js';
import type { FakeCommit, FakeDeployment, FakeIssue, FakeOrg, FakePull, FakeRelease, FakeRepo } from './model.js';

/**
 * The organisation as GraphQL objects for graphql-js's default resolvers: plain fields
 * are properties, connections are functions of their arguments, interfaces and unions
 * resolve by `__typename`. Only what GitHub would answer; nothing the collector needs
 * is special-cased.
 */

type Args = PageArgs & Record<string, any>;
const user = (login: string | null) => (login ? { __typename: 'User', login } : null);
const web = (repo: FakeRepo) => `https://github.com/${repo.owner}/${repo.name}`;

function commitObject(repo: FakeRepo, oid: string, quirks: Quirks): Record<string, unknown> {
  const commit = repo.commits.get(oid);
  if (!commit) throw new Error(`fake: unknown commit ${oid}`);
  return {
    __typename: 'Commit',
    oid,
    abbreviatedOid: oid.slice(0, 7),
    authoredDate: commit.authoredDate,
    committedDate: commit.committedDate,
    message: commit.message,
    messageHeadline: commit.message.split('\n')[0],
    url: `${web(repo)}/commit/${oid}`,
    author: { name: commit.author.name, email: commit.author.email, date: commit.authoredDate, user: user(commit.author.login) },
    parents: (args: Args) => connection(commit.parents.map((parent) => commitObject(repo, parent, quirks)), args, 'parents', quirks),
    history: (args: Args) => connection(history(repo, commit, args).map((item) => commitObject(repo, item.oid, quirks)), args, 'history', quirks),
    deployments: (args: Args) =>
      connection(deployments(repo, args).filter((d) => d.commitOid === oid).map((d) => deploymentObject(repo, d, quirks)), args, 'deployments', quirks),
  };
}

/** git log from a commit: everything reachable, newest committer date first, within since/until. */
function history(repo: FakeRepo, head: FakeCommit, args: Args): FakeCommit[] {
  const seen = new Map<string, FakeCommit>();
  const stack = [head];
  while (stack.length) {
    const commit = stack.pop()!;
    if (seen.has(commit.oid)) continue;
    seen.set(commit.oid, commit);
    for (const parent of commit.parents) stack.push(repo.commits.get(parent)!);
  }
  const since = args.since ? Date.parse(args.since) : -Infinity;
  const until = args.until ? Date.parse(args.until) : Infinity;
  return [...seen.values()]
    .filter((commit) => Date.parse(commit.committedDate) >= since && Date.parse(commit.committedDate) <= until)
    .sort((a, b) => b.committedDate.localeCompare(a.committedDate) || a.oid.localeCompare(b.oid));
}

function deployments(repo: FakeRepo, args: Args): FakeDeployment[] {
  const wanted = args.environments as string[] | undefined;
  const list = repo.deployments.filter((d) => !wanted || wanted.includes(d.environment));
  return ordered(list, args.orderBy, { field: 'CREATED_AT', direction: 'ASC' }, (d) => d.createdAt);
}

function deploymentObject(repo: FakeRepo, deployment: FakeDeployment, quirks: Quirks) {
  // Newest first, as the REST API lists statuses; the order is undocumented, so the collector sorts.
  const statuses = [...deployment.statuses].reverse();
  return {
    __typename: 'Deployment',
    databaseId: deployment.databaseId,
    environment: deployment.environment,
    originalEnvironment: deployment.environment,
    latestEnvironment: deployment.environment,
    createdAt: deployment.createdAt,
    updatedAt: deployment.updatedAt,
    commitOid: deployment.commitOid,
    commit: () => commitObject(repo, deployment.commitOid, quirks),
    task: deployment.task,
    description: null,
    ref: deployment.ref ? { __typename: 'Ref', name: deployment.ref, prefix: 'refs/heads/' } : null,
    creator: user(deployment.creator) ?? { __typename: 'User', login: 'ghost' },
    state: (deployment.statuses.at(-1)?.state ?? 'PENDING').replace('SUCCESS', 'ACTIVE'),
    latestStatus: statuses[0] ?? null,
    statuses: (args: Args) => connection(statuses, args, 'statuses', quirks),
  };
}

function pullObject(repo: FakeRepo, pull: FakePull, quirks: Quirks) {
  return {
    __typename: 'PullRequest',
    ...pull,
    url: `${web(repo)}/pull/${pull.number}`,
    author: user(pull.author),
    mergeCommit: pull.mergeCommit ? () => commitObject(repo, pull.mergeCommit!, quirks) : null,
    labels: (args: Args) => connection(pull.labels.map((name) => ({ name })), args, 'labels', quirks),
    reviews: (args: Args) => {
      const states = args.states as string[] | undefined;
      const reviews = pull.reviews.filter((review) => !states || states.includes(review.state));
      return connection(reviews.map((review) => ({ ...review, author: user(review.author) })), args, 'reviews', quirks);
    },
    commits: (args: Args) =>
      connection(pull.commits.map((oid) => ({ __typename: 'PullRequestCommit', commit: commitObject(repo, oid, quirks) })), args, 'commits', quirks),
  };
}

const releaseObject = (repo: FakeRepo, release: FakeRelease, quirks: Quirks) => ({
  __typename: 'Release',
  ...release,
  url: `${web(repo)}/releases/tag/${release.tagName}`,
  tagCommit: () => commitObject(repo, release.tagCommit, quirks),
});

const issueObject = (repo: FakeRepo, issue: FakeIssue, quirks: Quirks) => ({
  __typename: 'Issue',
  ...issue,
  url: `${web(repo)}/issues/${issue.number}`,
  author: user(issue.author),
  labels: (args: Args) => connection(issue.labels.map((name) => ({ name })), args, 'labels', quirks),
});

function issues(repo: FakeRepo, args: Args): FakeIssue[] {
  const labels = args.labels as string[] | undefined;
  const filter = (args.filterBy ?? {}) as { since?: string; labels?: string[]; states?: string[] };
  const since = filter.since ? Date.parse(filter.since) : -Infinity;
  const list = repo.issues.filter(
    (issue) =>
      (!labels || labels.some((label) => issue.labels.includes(label))) &&
      (!filter.labels || filter.labels.some((label) => issue.labels.includes(label))) &&
      (!args.states || args.states.includes(issue.state)) &&
      Date.parse(issue.updatedAt) >= since,
  );
  return ordered(list, args.orderBy, { field: 'CREATED_AT', direction: 'ASC' }, (issue, field) => (field === 'UPDATED_AT' ? issue.updatedAt : issue.createdAt));
}

function repoObject(repo: FakeRepo, quirks: Quirks) {
  const ref = (name: string) => (repo.branches[name] ? { __typename: 'Ref', name, prefix: 'refs/heads/', target: () => commitObject(repo, repo.branches[name]!, quirks) } : null);
  return {
    __typename: 'Repository',
    name: repo.name,
    nameWithOwner: `${repo.owner}/${repo.name}`,
    isArchived: repo.isArchived,
    isFork: repo.isFork,
    defaultBranchRef: () => (repo.defaultBranch ? ref(repo.defaultBranch) : null),
    ref: ({ qualifiedName }: { qualifiedName: string }) => ref(qualifiedName.replace(/^refs\/heads\//, '')),
    pullRequests: (args: Args) => {
      const list = repo.pulls.filter(
        (pull) => (!args.states || args.states.includes(pull.state)) && (!args.baseRefName || pull.baseRefName === args.baseRefName) &&
          (!args.labels || args.labels.some((label: string) => pull.labels.includes(label))),
      );
      const sorted = ordered(list, args.orderBy, { field: 'CREATED_AT', direction: 'ASC' }, (pull, field) => (field === 'UPDATED_AT' ? pull.updatedAt : pull.createdAt));
      return connection(sorted.map((pull) => pullObject(repo, pull, quirks)), args, 'pullRequests', quirks);
    },
    pullRequest: ({ number }: { number: number }) => {
      const pull = repo.pulls.find((item) => item.number === number);
      if (!pull) throw new GithubError(`Could not resolve to a PullRequest with the number of ${number}.`, 'NOT_FOUND');
      return pullObject(repo, pull, quirks);
    },
    deployments: (args: Args) => connection(deployments(repo, args).map((d) => deploymentObject(repo, d, quirks)), args, 'deployments', quirks),
    releases: (args: Args) => {
      const sorted = ordered(repo.releases, args.orderBy, { field: 'CREATED_AT', direction: 'ASC' }, (release, field) => (field === 'NAME' ? release.name : release.createdAt));
      return connection(sorted.map((release) => releaseObject(repo, release, quirks)), args, 'releases', quirks);
    },
    issues: (args: Args) => connection(issues(repo, args).map((issue) => issueObject(repo, issue, quirks)), args, 'issues', quirks),
    object: ({ expression, oid }: { expression?: string; oid?: string }) => {
      const wanted = (oid ?? expression ?? '').toLowerCase();
      const matches = wanted.length >= 4 ? [...repo.commits.keys()].filter((key) => key.startsWith(wanted)) : [];
      return matches.length === 1 ? commitObject(repo, matches[0]!, quirks) : null;
    },
  };
}

export function rootValue(org: FakeOrg, quirks: Quirks, rateLimit: () => Record<string, unknown>) {
  const find = (owner: string, name: string) =>
    org.repos.find((repo) => repo.owner.toLowerCase() === owner.toLowerCase() && repo.name.toLowerCase() === name.toLowerCase());
  return {
    rateLimit,
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = find(owner, name);
      if (!repo) throw new GithubError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, 'NOT_FOUND');
      return repoObject(repo, quirks);
    },
    repositoryOwner: ({ login }: { login: string }) =>
      login.toLowerCase() !== org.login.toLowerCase()
        ? null
        : {
            __typename: 'Organization',
            login: org.login,
            repositories: (args: Args) => {
              const repos = org.repos.filter(
                (repo) => (args.isArchived == null || repo.isArchived === args.isArchived) && (args.isFork == null || repo.isFork === args.isFork),
              );
              const sorted = ordered(repos, args.orderBy, { field: 'CREATED_AT', direction: 'ASC' }, (repo) => repo.name.toLowerCase());
              return connection(sorted.map((repo) => repoObject(repo, quirks)), args, 'repositories', quirks);
            },
          },
  };
}
