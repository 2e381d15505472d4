/**
 * Every GraphQL document the collector sends. A test validates each one against
 * GitHub's published schema (@octokit/graphql-schema), so a misspelt field fails
 * a test rather than a user. Every operation asks for `rateLimit` so the shared
 * budget learns the cost and what is left.
 *
 * Cost (GitHub's rule: requests to fill every connection at its `first`, ÷ 100):
 * the PR page dominates through each PR's commits and their parents, hence only
 * `commits(first: 20)` inline and the rest paged on demand (PullCommits).
 */

const RATE_LIMIT = 'rateLimit { cost remaining resetAt limit }';
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

const COMMIT_FIELDS = `fragment CommitFields on Commit {
  oid authoredDate committedDate message
  author { name user { login } }
  parents(first: 5) { nodes { oid } }
}`;

const PULL_FIELDS = `fragment PullFields on PullRequest {
  number title url createdAt updatedAt mergedAt baseRefName
  author { login }
  mergeCommit { oid }
  labels(first: 20) { nodes { name } }
  reviews(first: 10, states: [APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED]) { nodes { submittedAt author { login } } }
  commits(first: 20) { totalCount ${PAGE_INFO} nodes { commit { ...CommitFields } } }
}`;

const DEPLOYMENT_FIELDS = `fragment DeploymentFields on Deployment {
  databaseId environment createdAt updatedAt commitOid task
  ref { name }
  creator { login }
  statuses(first: 50) { totalCount nodes { state createdAt environmentUrl logUrl } }
}`;

const RELEASE_FIELDS = `fragment ReleaseFields on Release {
  databaseId name tagName url createdAt publishedAt isDraft isPrerelease
  tagCommit { oid }
}`;

const INCIDENT_FIELDS = `fragment IncidentFields on Issue {
  number title url body state stateReason createdAt updatedAt closedAt
  author { login }
  labels(first: 20) { nodes { name } }
}`;

const HISTORY = `history(first: $commitsFirst, since: $commitsSince) @include(if: $commits) { ${PAGE_INFO} nodes { ...CommitFields } }`;
const PULLS_ARGS = 'states: [MERGED], baseRefName: $base, orderBy: { field: UPDATED_AT, direction: DESC }';
const DEPLOYMENTS_ARGS = 'orderBy: { field: CREATED_AT, direction: DESC }';
const RELEASES_ARGS = 'orderBy: { field: CREATED_AT, direction: DESC }';
// `labels` on the connection matches issues with any of them; filterBy.since means "updated at or after".
const INCIDENTS_ARGS = 'labels: $incidentLabels, orderBy: { field: UPDATED_AT, direction: ASC }, filterBy: { since: $incidentsSince }';

/**
 * One request per repository: its default branch and the first page of every kind
 * that starts from the head. A re-sync with nothing new costs this one request.
 * Kinds resuming an interrupted run are left out (`@include`) and paged on their own.
 */
export const REPO_SYNC = `query RepoSync(
  $owner: String!, $name: String!, $base: String, $baseRef: String!, $hasBase: Boolean!,
  $pulls: Boolean!, $pullsFirst: Int!,
  $commits: Boolean!, $commitsFirst: Int!, $commitsSince: GitTimestamp,
  $deployments: Boolean!, $deploymentsFirst: Int!,
  $releases: Boolean!, $releasesFirst: Int!,
  $incidents: Boolean!, $incidentsFirst: Int!, $incidentsSince: DateTime, $incidentLabels: [String!]
) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    nameWithOwner isArchived
    defaultBranchRef @skip(if: $hasBase) { name target { ... on Commit { ${HISTORY} } } }
    baseRef: ref(qualifiedName: $baseRef) @include(if: $hasBase) { name target { ... on Commit { ${HISTORY} } } }
    pullRequests(${PULLS_ARGS}, first: $pullsFirst) @include(if: $pulls) { ${PAGE_INFO} nodes { ...PullFields } }
    deployments(${DEPLOYMENTS_ARGS}, first: $deploymentsFirst) @include(if: $deployments) { ${PAGE_INFO} nodes { ...DeploymentFields } }
    releases(${RELEASES_ARGS}, first: $releasesFirst) @include(if: $releases) { ${PAGE_INFO} nodes { ...ReleaseFields } }
    issues(${INCIDENTS_ARGS}, first: $incidentsFirst) @include(if: $incidents) { ${PAGE_INFO} nodes { ...IncidentFields } }
  }
}
${COMMIT_FIELDS}
${PULL_FIELDS}
${DEPLOYMENT_FIELDS}
${RELEASE_FIELDS}
${INCIDENT_FIELDS}`;

export const PULLS_PAGE = `query PullsPage($owner: String!, $name: String!, $base: String, $after: String) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    pullRequests(${PULLS_ARGS}, first: 50, after: $after) { ${PAGE_INFO} nodes { ...PullFields } }
  }
}
${COMMIT_FIELDS}
${PULL_FIELDS}`;

/** The rest of one PR's commits when it has more than the 20 asked for inline (GitHub lists at most 250). */
export const PULL_COMMITS = `query PullCommits($owner: String!, $name: String!, $number: Int!, $after: String) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) { commits(first: 100, after: $after) { ${PAGE_INFO} nodes { commit { ...CommitFields } } } }
  }
}
${COMMIT_FIELDS}`;

export const HISTORY_PAGE = `query HistoryPage($owner: String!, $name: String!, $ref: String!, $commitsFirst: Int!, $commitsSince: GitTimestamp, $after: String) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) { target { ... on Commit {
      history(first: $commitsFirst, since: $commitsSince, after: $after) { ${PAGE_INFO} nodes { ...CommitFields } }
    } } }
  }
}
${COMMIT_FIELDS}`;

export const DEPLOYMENTS_PAGE = `query DeploymentsPage($owner: String!, $name: String!, $after: String) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    deployments(${DEPLOYMENTS_ARGS}, first: 50, after: $after) { ${PAGE_INFO} nodes { ...DeploymentFields } }
  }
}
${DEPLOYMENT_FIELDS}`;

export const RELEASES_PAGE = `query ReleasesPage($owner: String!, $name: String!, $after: String) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    releases(${RELEASES_ARGS}, first: 50, after: $after) { ${PAGE_INFO} nodes { ...ReleaseFields } }
  }
}
${RELEASE_FIELDS}`;

export const INCIDENTS_PAGE = `query IncidentsPage($owner: String!, $name: String!, $incidentsSince: DateTime, $incidentLabels: [String!], $after: String) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    issues(${INCIDENTS_ARGS}, first: 50, after: $after) { ${PAGE_INFO} nodes { ...IncidentFields } }
  }
}
${INCIDENT_FIELDS}`;

/** The repositories of an organisation or user; archived and forks filtered by GitHub when they are not wanted. */
export const OWNER_REPOS = `query OwnerRepos($login: String!, $isArchived: Boolean, $isFork: Boolean, $after: String) {
  ${RATE_LIMIT}
  repositoryOwner(login: $login) {
    login
    repositories(first: 100, after: $after, ownerAffiliations: [OWNER], isArchived: $isArchived, isFork: $isFork, orderBy: { field: NAME, direction: ASC }) {
      ${PAGE_INFO} nodes { nameWithOwner isArchived isFork defaultBranchRef { name } }
    }
  }
}`;

/** The deployments of a commit an incident names (a SHA or a prefix of one), to link the incident to one of them. */
export const COMMIT_DEPLOYMENTS = `query CommitDeployments($owner: String!, $name: String!, $expression: String!) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    object(expression: $expression) { ... on Commit {
      oid
      deployments(first: 20, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { ...DeploymentFields } }
    } }
  }
}
${DEPLOYMENT_FIELDS}`;

/** Every document, by operation name: the schema test validates each. */
export const documents = {
  RepoSync: REPO_SYNC,
  PullsPage: PULLS_PAGE,
  PullCommits: PULL_COMMITS,
  HistoryPage: HISTORY_PAGE,
  DeploymentsPage: DEPLOYMENTS_PAGE,
  ReleasesPage: RELEASES_PAGE,
  IncidentsPage: INCIDENTS_PAGE,
  OwnerRepos: OWNER_REPOS,
  CommitDeployments: COMMIT_DEPLOYMENTS,
} as const;
