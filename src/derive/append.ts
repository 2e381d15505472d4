import { shipChanges, shippedCommits, type RepoData } from './changes.js';
import { CommitGraph } from './graph.js';
import type { DeriveInputs, Stat } from './inputs.js';
import { deploymentOutcomes } from './outcomes.js';
import { loadReverts, PullRequestIndex, type MergedPullRequest } from './pull-requests.js';
import type { RollbackFacts } from './rollbacks.js';
import { candidateRepos } from './scope.js';
import { deploymentColumns, rows, scalar, toDeployment, type DeploymentTuple, type ServiceContext } from './service.js';
import { RepoTail, type TailCommit } from './tail.js';
import { chTime, seconds } from './time.js';
import type { DerivedDeploymentRow, IncidentInput, Placement, ProductionDeployment } from './types.js';
import type { DerivedRows } from './write.js';

/** What the derivation in force of a service left behind. */
export interface Previous {
  runs: number[];
  inputs: DeriveInputs;
}

/** Appends after the last full derivation before the service is derived in full again (its rows stay few runs). */
export const MAX_APPENDED_RUNS = 32;

/** The rows to write, and how many of their deployments are new (the rest are earlier ones recovered now). */
export type AppendResult = { rows: DerivedRows; added: number } | { refused: string };

class Refusal extends Error {}
const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

/**
 * The append path of incremental derivation: when a service's only news since its last
 * derivation are successful production deployments after its last one (and new commits and
 * PRs), walk only the commits they shipped and write only the rows that change: the new
 * deployments, their changes and shipped commits, and the failed deployments they recover.
 * Every other change, or anything this path cannot prove it handles exactly as the full
 * derivation would (rollbacks, reverts, incidents that might move, late history, prefixes that
 * might resolve differently), is refused with the reason, and the service is derived in full.
 * test/derive-incremental.test.ts holds both paths to the same rows.
 */
export async function appendService(ctx: ServiceContext, scope: string, service: string, previous: Previous, now: DeriveInputs): Promise<AppendResult> {
  try {
    return await append(ctx, scope, service, previous, now);
  } catch (error) {
    if (error instanceof Refusal) return { refused: error.message };
    throw error;
  }
}

async function append(ctx: ServiceContext, scope: string, service: string, previous: Previous, now: DeriveInputs): Promise<AppendResult> {
  const { runs, inputs: before } = previous;
  if (runs.length === 0) refuse('no derivation in force');
  if (runs.length >= MAX_APPENDED_RUNS) refuse(`${runs.length} appends since its last full derivation`);
  const owner = { scope, service, runs };
  // Rows of a run newer than those in force: a derivation stopped half-way; only a full one clears them.
  const stray = await scalar(
    ctx.client,
    `SELECT greatest((SELECT max(run) FROM derived_deployments WHERE scope = {scope:String} AND service = {service:String}),
                     (SELECT max(run) FROM derived_changes WHERE scope = {scope:String} AND service = {service:String}),
                     (SELECT max(run) FROM derived_commits WHERE scope = {scope:String} AND service = {service:String}))`,
    owner,
  );
  if (stray > Math.max(...runs)) refuse('an unfinished derivation left rows behind');

  const [countBefore, latestBefore] = before.deployments as Stat;
  const arrivedCount = await scalar(ctx.client, `SELECT count() FROM deployments WHERE service = {service:String} AND ingested_at > {since:DateTime64(3, 'UTC')}`, {
    service,
    since: latestBefore,
  });
  if (countBefore + arrivedCount !== (now.deployments as Stat)[0]) refuse('its deployments changed other than by new arrivals');
  const arrived = await rows<[...DeploymentTuple, string]>(
    ctx.client,
    // The ids first, then FINAL over just their granules (the table is keyed by id, not service).
    `SELECT ${deploymentColumns}, status FROM deployments FINAL
     WHERE id IN (SELECT id FROM deployments WHERE service = {service:String} AND ingested_at > {since:DateTime64(3, 'UTC')})
       AND service = {service:String}
     ORDER BY finished_at, id`,
    { service, since: latestBefore },
  );
  const production = (environment: string, status: string) => status === 'success' && ctx.environments.includes(environment.toLowerCase());
  const derived = await derivedDeployments(ctx, owner, arrived.map((row) => row[0]));
  const fresh: ProductionDeployment[] = [];
  for (const row of arrived) {
    const deployment = toDeployment(row.slice(0, 10) as DeploymentTuple);
    const known = derived.get(deployment.id);
    if (known) {
      // Collectors fetch overlapping pages: the same deployment again changes nothing.
      if (!production(deployment.environment, row[10]) || !sameDeployment(deployment, known)) refuse(`deployment ${deployment.id} changed`);
    } else if (production(deployment.environment, row[10])) fresh.push(deployment);
  }

  const last = await rows<[string, number]>(
    ctx.client,
    `SELECT id, toUnixTimestamp64Milli(finished_at) FROM derived_deployments FINAL
     WHERE scope = {scope:String} AND service = {service:String} AND run IN {runs:Array(UInt64)} ORDER BY finished_at DESC, id DESC LIMIT 1`,
    owner,
  );
  const [lastId, lastFinished] = last[0] ?? refuse('its first deployment sets the baseline');
  for (const deployment of fresh) {
    const finished = Number(lastFinished);
    if (deployment.finishedAt < finished || (deployment.finishedAt === finished && deployment.id <= lastId)) {
      refuse(`deployment ${deployment.id} finished before ${lastId}, already derived`);
    }
    if (deployment.rollbackOf) refuse(`deployment ${deployment.id} is a rollback`);
  }

  // The repositories: what arrived in each, checked against the history the derivation in force used.
  const tails = new Map<string, RepoTail>();
  const prsArrived = new Set<string>();
  const arrivedCommits: TailCommit[] = [];
  for (const [repo, commitsBefore, prsBefore] of before.repos) {
    const [, commitsNow, prsNow] = now.repos.find(([name]) => name === repo) as DeriveInputs['repos'][number];
    const tail = new RepoTail(ctx.client, repo, owner);
    tails.set(repo, tail);
    if (JSON.stringify(commitsBefore) !== JSON.stringify(commitsNow)) {
      const since = commitsBefore?.[1] ?? '1970-01-01 00:00:00.000';
      const count = await scalar(ctx.client, `SELECT count() FROM commits WHERE repo = {repo:String} AND ingested_at > {since:DateTime64(3, 'UTC')}`, { repo, since });
      if ((commitsBefore?.[0] ?? 0) + count !== commitsNow?.[0]) refuse(`commits of ${repo} changed other than by new arrivals`);
      const commits = await tail.arrived(since);
      if (commits.some((commit) => commit.reverts)) refuse(`a revert arrived in ${repo}`);
      // A commit that an already shipped commit has for parent: history filled in late.
      const late = await scalar(
        ctx.client,
        `SELECT count() FROM derived_commits
         WHERE scope = {scope:String} AND service = {service:String} AND repo = {repo:String} AND run IN {runs:Array(UInt64)}
           AND sha IN (SELECT sha FROM commits WHERE repo = {repo:String} AND hasAny(parents, {shas:Array(String)}))`,
        { ...owner, repo, shas: commits.map((commit) => commit.sha) },
      );
      if (late > 0) refuse(`history of ${repo} arrived late`);
      arrivedCommits.push(...commits);
    }
    if (JSON.stringify(prsBefore) !== JSON.stringify(prsNow)) {
      const since = prsBefore?.[1] ?? '1970-01-01 00:00:00.000';
      const count = await scalar(ctx.client, `SELECT count() FROM pull_requests WHERE repo = {repo:String} AND ingested_at > {since:DateTime64(3, 'UTC')}`, {
        repo,
        since,
      });
      if ((prsBefore?.[0] ?? 0) + count !== prsNow?.[0]) refuse(`pull requests of ${repo} changed other than by new arrivals`);
      prsArrived.add(repo);
    }
  }

  // Walk what each new deployment shipped, in shipping order, in the repository its commit is in.
  const shipped = new Map<string, Map<string, TailCommit>>();
  const placedIn: { repo: string; sha: string }[] = [];
  for (const deployment of fresh) {
    const place = await placeInTails(ctx, deployment, tails);
    const shippedHere = shipped.get(place.repo) ?? new Map<string, TailCommit>();
    shipped.set(place.repo, shippedHere);
    const walked = await (tails.get(place.repo) as RepoTail).walkNew(place.sha, shippedHere);
    if (walked.length === 0) refuse(`deployment ${deployment.id} shipped no new commit (a rollback or a redeploy)`);
    if (walked.some((commit) => commit.reverts)) refuse(`deployment ${deployment.id} shipped a revert`);
    placedIn.push(place);
  }
  const walkedCommits = [...shipped.values()].flatMap((commits) => [...commits.values()]);
  await refuseChangedReferences(ctx, owner, fresh, arrivedCommits, walkedCommits);

  const repos = new Map<string, RepoData>();
  for (const [repo, commits] of shipped) repos.set(repo, await tailRepoData(ctx, tails.get(repo) as RepoTail, [...commits.values()], before, repo));
  // PRs that arrived in repositories no new deployment shipped from may still claim shipped commits.
  for (const repo of prsArrived) if (!repos.has(repo)) await tailRepoData(ctx, tails.get(repo) as RepoTail, [], before, repo);

  const placements: Placement[] = placedIn.map(({ repo, sha }) => {
    const graph = (repos.get(repo) as RepoData).graph;
    return { status: 'resolved', repo, commit: graph.indexOf(sha) as number, commitSha: sha, note: '' };
  });
  const shipment = shipChanges(fresh, placements, repos, { continuing: true });
  const noRollback: RollbackFacts = { rolledBackBy: '', method: '', rollbackOf: '', isRollback: false, rollbackNote: '', rolledBackNote: '' };
  const open = await openIncidents(ctx, service, fresh);
  const deployments = deploymentOutcomes(
    fresh,
    placements,
    shipment.shipments,
    fresh.map(() => noRollback),
    fresh.map(() => []),
    open,
  );
  const recovered = fresh.length > 0 ? await recoveredBy(ctx, owner, fresh[0] as ProductionDeployment) : [];
  const derivedRows: DerivedRows = {
    deployments: [...recovered, ...deployments],
    changes: shipment.changes,
    incidents: [],
    commits: shippedCommits(fresh, repos, shipment.shippedBy),
  };
  return { rows: derivedRows, added: fresh.length };
}

/** What an earlier derivation read of a deployment (its raw fields, as derived rows keep them). */
type DerivedDeployment = Pick<DerivedDeploymentRow, 'finished_at' | 'environment' | 'source' | 'version' | 'url' | 'repo' | 'sha' | 'rollback_of' | 'rollback_method'>;

async function derivedDeployments(ctx: ServiceContext, owner: { scope: string; service: string; runs: number[] }, ids: string[]) {
  if (ids.length === 0) return new Map<string, DerivedDeployment>();
  const found = await rows<[string, number, string, string, string, string, string, string, string, string]>(
    ctx.client,
    `SELECT id, toUnixTimestamp64Milli(finished_at), environment, source, version, url, repo, sha, rollback_of, rollback_method
     FROM derived_deployments FINAL
     WHERE scope = {scope:String} AND service = {service:String} AND run IN {runs:Array(UInt64)} AND id IN {ids:Array(String)}`,
    { ...owner, ids },
  );
  return new Map(
    found.map(([id, finished, environment, source, version, url, repo, sha, rollbackOf, method]) => [
      id,
      { finished_at: Number(finished), environment, source, version, url, repo, sha, rollback_of: rollbackOf, rollback_method: method as DerivedDeployment['rollback_method'] },
    ]),
  );
}

/** The deployment as derived from it before: the same fields the derivation read. */
function sameDeployment(deployment: ProductionDeployment, derived: DerivedDeployment): boolean {
  return (
    deployment.finishedAt === derived.finished_at &&
    deployment.environment === derived.environment &&
    deployment.source === derived.source &&
    deployment.version === derived.version &&
    deployment.url === derived.url &&
    deployment.sha === derived.sha &&
    deployment.repo !== '' &&
    deployment.repo === derived.repo &&
    (deployment.rollbackOf ? derived.rollback_method === 'explicit' && derived.rollback_of === deployment.rollbackOf : derived.rollback_method !== 'explicit')
  );
}

/**
 * What could move an earlier row: incidents opened after the new deployments began (the
 * window rule would move them), incident text naming a new deployment, its release, a commit
 * it shipped (the SHA rule would move the incident to it) or a commit that arrived (a prefix
 * may now be ambiguous), and earlier deployments whose SHA prefix a new commit might now match.
 */
async function refuseChangedReferences(
  ctx: ServiceContext,
  owner: { scope: string; service: string; runs: number[] },
  fresh: ProductionDeployment[],
  arrivedCommits: TailCommit[],
  walked: TailCommit[],
): Promise<void> {
  if (fresh.length > 0) {
    const later = await scalar(
      ctx.client,
      `SELECT count() FROM incidents FINAL WHERE service = {service:String} AND extra['ignored'] = '' AND opened_at >= {from:DateTime64(3, 'UTC')}`,
      { service: owner.service, from: chTime((fresh[0] as ProductionDeployment).finishedAt) },
    );
    if (later > 0) refuse('an incident opened after its new deployments began');
  }
  const needles = [
    ...fresh.flatMap((deployment) => [deployment.id, ...(deployment.version.trim().length >= 2 ? [deployment.version.trim()] : [])]),
    ...new Set([...arrivedCommits, ...walked].map((commit) => commit.sha.slice(0, 7))),
  ].filter(Boolean);
  if (needles.length > 2_000) refuse('too much arrived at once');
  // multiSearchAny takes at most 255 needles.
  for (let start = 0; start < needles.length; start += 255) {
    const named = await scalar(
      ctx.client,
      `SELECT count() FROM incidents FINAL WHERE service = {service:String} AND extra['ignored'] = ''
         AND multiSearchAnyCaseInsensitive(concat(title, '\n', extra['description'], '\n', extra['fields'], '\n', extra['sha']), {needles:Array(String)})`,
      { service: owner.service, needles: needles.slice(start, start + 255) },
    );
    if (named > 0) refuse('an incident names a new deployment, release or commit');
  }
  if (arrivedCommits.length > 0) {
    const unresolved = await rows<[string]>(
      ctx.client,
      `SELECT lower(sha) FROM derived_deployments FINAL
       WHERE scope = {scope:String} AND service = {service:String} AND run IN {runs:Array(UInt64)}
         AND sha != '' AND (commit_status != 'resolved' OR length(sha) < 40)`,
      owner,
    );
    for (const [prefix] of unresolved) {
      if (arrivedCommits.some((commit) => commit.sha.startsWith(prefix))) refuse(`a new commit matches deployed SHA ${prefix}`);
    }
  }
}

/** The first candidate repository that holds the deployment's commit, as the full placement would find it. */
async function placeInTails(ctx: ServiceContext, deployment: ProductionDeployment, tails: Map<string, RepoTail>): Promise<{ repo: string; sha: string }> {
  if (!deployment.sha) refuse(`deployment ${deployment.id} names no commit`);
  for (const repo of candidateRepos(deployment.service, deployment.repo, ctx.config, ctx.knownRepos)) {
    const tail = tails.get(repo) ?? refuse(`deployment ${deployment.id} is in a repository new to ${deployment.service}`);
    const sha = await tail.resolve(deployment.sha);
    if (sha === 'ambiguous') refuse(`deployment ${deployment.id}: ${deployment.sha} is ambiguous`);
    if (sha) {
      if (!(await tail.hasShipped())) refuse(`deployment ${deployment.id} is the first in ${repo} (a baseline)`);
      return { repo, sha };
    }
  }
  return refuse(`deployment ${deployment.id}: commit ${deployment.sha} not found`);
}

/**
 * The commits a new deployment shipped, with every pull request that could claim them (listing
 * or merging them, or listing a commit they are rebased copies of), as a small graph and PR index:
 * the full index's rules then give the same PR for each of them. A PR that claims a commit an
 * earlier deployment shipped, or that was counted already, would change an earlier change: refused.
 */
async function tailRepoData(ctx: ServiceContext, tail: RepoTail, shipped: TailCommit[], before: DeriveInputs, repo: string): Promise<RepoData> {
  const shas = shipped.map((commit) => commit.sha);
  const prsSince = before.repos.find(([name]) => name === repo)?.[2]?.[1] ?? '1970-01-01 00:00:00.000';
  const originals = (await tail.sameAuthorship(shipped)).filter((commit) => !shas.includes(commit.sha));
  const prs = await tail.pullRequests([...shas, ...originals.map((commit) => commit.sha)], prsSince);
  const listed = await tail.commits(prs.flatMap((pr) => [...pr.commits, ...(pr.mergeSha ? [pr.mergeSha] : [])]).filter((sha) => !shas.includes(sha)));
  if ((await tail.countSeen(listed.map((commit) => commit.sha))) > 0) refuse(`a pull request of ${repo} claims a commit already shipped`);
  if ((await tail.countSeen((await tail.sameAuthorship(listed)).map((commit) => commit.sha))) > 0) {
    refuse(`a pull request of ${repo} claims a rebased commit already shipped`);
  }
  await refuseCounted(ctx, tail, prs, repo);
  const graph = CommitGraph.fromCommits(repo, [...shipped, ...listed]);
  await refuseRevertsOf(ctx, repo, shas);
  // No revert names a shipped commit (refused above): nothing to record as evidence.
  return { graph, prs: new PullRequestIndex(graph, prs), reverts: new Map() };
}

async function refuseCounted(ctx: ServiceContext, tail: RepoTail, prs: MergedPullRequest[], repo: string): Promise<void> {
  if (prs.length === 0) return;
  const counted = await scalar(
    ctx.client,
    `SELECT count() FROM derived_changes WHERE scope = {scope:String} AND service = {service:String} AND run IN {runs:Array(UInt64)}
       AND change_key IN {keys:Array(String)}`,
    { ...tail.owner, keys: prs.map((pr) => `pr:${repo}#${pr.number}`) },
  );
  if (counted > 0) refuse(`a pull request of ${repo} was counted already`);
}

/** Reverts anywhere in the repository of a commit just shipped would record evidence on it: refused. */
async function refuseRevertsOf(ctx: ServiceContext, repo: string, shas: string[]): Promise<void> {
  if (shas.length === 0) return;
  for (const target of (await loadReverts(ctx.client, repo)).keys()) {
    if (shas.some((sha) => sha.startsWith(target))) refuse(`a commit of ${repo} reverts one just shipped`);
  }
}

/** The service's incidents open at some point while the new deployments finished (for rework). */
async function openIncidents(ctx: ServiceContext, service: string, fresh: ProductionDeployment[]): Promise<IncidentInput[]> {
  if (fresh.length === 0) return [];
  const found = await rows<[string, number, number | null]>(
    ctx.client,
    `SELECT id, toUnixTimestamp64Milli(opened_at), if(resolved_at IS NULL, NULL, toUnixTimestamp64Milli(resolved_at))
     FROM incidents FINAL
     WHERE service = {service:String} AND extra['ignored'] = '' AND opened_at <= {last:DateTime64(3, 'UTC')}
       AND (resolved_at IS NULL OR resolved_at > {first:DateTime64(3, 'UTC')})`,
    { service, first: chTime((fresh[0] as ProductionDeployment).finishedAt), last: chTime((fresh.at(-1) as ProductionDeployment).finishedAt) },
  );
  return found.map(([id, opened, resolved]) => ({
    id,
    service,
    openedAt: Number(opened),
    resolvedAt: resolved === null ? null : Number(resolved),
    title: '',
    severity: '',
    deployment: '',
    text: '',
    sha: '',
  }));
}

/** Failed deployments not yet recovered: the first new deployment (which has not failed) recovers them. */
async function recoveredBy(
  ctx: ServiceContext,
  owner: { scope: string; service: string; runs: number[] },
  recovery: ProductionDeployment,
): Promise<DerivedDeploymentRow[]> {
  const result = await ctx.client.query({
    query: `SELECT * EXCEPT (scope, run, finished_at, recovered_at), toUnixTimestamp64Milli(finished_at) AS finished_at
            FROM derived_deployments FINAL
            WHERE scope = {scope:String} AND service = {service:String} AND run IN {runs:Array(UInt64)} AND failed = 1 AND recovered_by = ''`,
    query_params: owner,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const pending = await result.json<DerivedDeploymentRow>();
  return pending.map((row) => {
    const finishedAt = Number(row.finished_at);
    return {
      ...row,
      finished_at: finishedAt,
      recovered_at: recovery.finishedAt,
      recovered_by: recovery.id,
      recovery_seconds: seconds(recovery.finishedAt - finishedAt),
    };
  });
}
