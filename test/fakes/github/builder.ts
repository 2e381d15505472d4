import { emptyRepo, iso, MINUTE, sha, type FakeDeployment, type FakeIssue, type FakePull, type FakeRelease, type FakeRepo, type FakeStatus } from './model.js';

export interface Person {
  name: string;
  email: string;
  login: string | null;
}
export const person = (login: string): Person => ({ name: login[0]!.toUpperCase() + login.slice(1), email: `${login}@example.com`, login });
/** Someone without a GitHub account: commits carry a name, the GraphQL `user` is null. */
export const nameOnly = (name: string): Person => ({ name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`, login: null });

export interface PullOptions {
  title: string;
  /** null: the account was deleted since. */
  author: Person | null;
  /** When the first commit was authored. */
  start: number;
  commits: number;
  /** Hours between commits (default 1). */
  spacing?: number;
  createdAfter: number;
  reviews?: { author: string | null; state: FakePull['reviews'][number]['state']; after: number }[];
  /** Time from creation to merge; omit for an unmerged PR. */
  mergedAfter?: number;
  strategy?: 'merge' | 'squash' | 'rebase';
  base?: string;
  labels?: string[];
  state?: 'OPEN' | 'CLOSED';
}

/** Scripts one repository's history the way GitHub records it. Numbers are shared by PRs and issues, as on GitHub. */
export class RepoBuilder {
  readonly repo: FakeRepo;
  private number = 0;

  constructor(owner: string, name: string, private readonly ids: { next: () => number }) {
    this.repo = emptyRepo(owner, name);
  }

  head(branch = 'main'): string {
    return this.repo.branches[branch]!;
  }

  commit(message: string, at: number, author: Person, options: { branch?: string; parents?: string[]; authoredAt?: number } = {}): string {
    const branch = options.branch ?? 'main';
    const head = this.repo.branches[branch];
    const parents = options.parents ?? (head ? [head] : []);
    const oid = sha(`${this.repo.name}:${message}:${at}:${parents.join(',')}`);
    this.repo.commits.set(oid, {
      oid, parents, message,
      authoredDate: iso(options.authoredAt ?? at),
      committedDate: iso(at),
      author: { name: author.name, email: author.email, login: author.login },
    });
    this.repo.branches[branch] = oid;
    this.repo.defaultBranch ??= branch;
    return oid;
  }

  pull(options: PullOptions): FakePull {
    const number = ++this.number;
    const base = options.base ?? 'main';
    const author = options.author ?? { name: 'Former Member', email: 'former@example.com', login: null };
    const branch = `pr-${number}`;
    this.repo.branches[branch] = this.head(base);
    const own: string[] = [];
    for (let i = 0; i < options.commits; i++) {
      own.push(this.commit(`${options.title} (part ${i + 1})`, options.start + i * (options.spacing ?? 1) * 3_600_000, author, { branch }));
    }
    const createdAt = options.start + options.createdAfter;
    let mergedAt: number | null = null;
    let mergeCommit: string | null = null;
    if (options.mergedAfter !== undefined) {
      mergedAt = createdAt + options.mergedAfter;
      const merger = author.login ? author : { name: 'Maintainer', email: 'maintainer@example.com', login: 'maintainer' };
      switch (options.strategy ?? 'merge') {
        case 'merge':
          mergeCommit = this.commit(`Merge pull request #${number}`, mergedAt, merger, { branch: base, parents: [this.head(base), own.at(-1)!] });
          break;
        case 'squash':
          mergeCommit = this.commit(`${options.title} (#${number})`, mergedAt, author, { branch: base });
          break;
        case 'rebase':
          // Replayed on the base: new commits, author dates kept, committer dates the merge time.
          for (const oid of own) {
            const original = this.repo.commits.get(oid)!;
            mergeCommit = this.commit(`${original.message} [rebased]`, mergedAt, author, { branch: base, authoredAt: Date.parse(original.authoredDate) });
          }
          break;
      }
    }
    const pull: FakePull = {
      number,
      title: options.title,
      state: mergedAt !== null ? 'MERGED' : (options.state ?? 'OPEN'),
      author: options.author?.login ?? null,
      createdAt: iso(createdAt),
      updatedAt: iso((mergedAt ?? createdAt) + MINUTE),
      mergedAt: mergedAt === null ? null : iso(mergedAt),
      baseRefName: base,
      mergeCommit,
      labels: options.labels ?? [],
      commits: own,
      reviews: (options.reviews ?? []).map((review) => ({ author: review.author, state: review.state, submittedAt: iso(createdAt + review.after) })),
    };
    this.repo.pulls.push(pull);
    return pull;
  }

  /**
   * A deployment with its status history (`[state, minutes after creation]`). As GitHub
   * does, a new SUCCESS marks the environment's earlier successful deployments INACTIVE.
   */
  deploy(environment: string, commitOid: string, at: number, statuses: [FakeStatus['state'], number][], creator: string | null = 'deploy-bot'): FakeDeployment {
    const deployment: FakeDeployment = {
      databaseId: this.ids.next(), environment, createdAt: iso(at), updatedAt: iso(at), commitOid, ref: 'main', task: 'deploy', creator,
      statuses: [],
    };
    for (const [state, minutes] of statuses) {
      const time = iso(at + minutes * MINUTE);
      if (state === 'SUCCESS') {
        for (const earlier of this.repo.deployments.filter((d) => d.environment === environment && d.statuses.some((s) => s.state === 'SUCCESS'))) {
          if (earlier.statuses.at(-1)?.state !== 'INACTIVE') {
            earlier.statuses.push({ state: 'INACTIVE', createdAt: time });
            earlier.updatedAt = time;
          }
        }
      }
      deployment.statuses.push({ state, createdAt: time, ...(state === 'SUCCESS' ? { environmentUrl: `https://${environment}.${this.repo.name}.example.com` } : { logUrl: `https://ci.example.com/${this.repo.name}/${deployment.databaseId}` }) });
      deployment.updatedAt = time;
    }
    this.repo.deployments.push(deployment);
    return deployment;
  }

  release(tagName: string, commitOid: string, at: number, options: { publishedAfter?: number | null; prerelease?: boolean } = {}): FakeRelease {
    const publishedAfter = options.publishedAfter === undefined ? 10 * MINUTE : options.publishedAfter;
    const release: FakeRelease = {
      databaseId: this.ids.next(), name: tagName, tagName, createdAt: iso(at),
      publishedAt: publishedAfter === null ? null : iso(at + publishedAfter),
      isDraft: publishedAfter === null, isPrerelease: options.prerelease ?? false, tagCommit: commitOid,
    };
    this.repo.releases.push(release);
    return release;
  }

  issue(options: { title: string; body: string; labels: string[]; at: number; closedAfter?: number; author?: string | null; stateReason?: FakeIssue['stateReason'] }): FakeIssue {
    const closedAt = options.closedAfter === undefined ? null : iso(options.at + options.closedAfter);
    const issue: FakeIssue = {
      number: ++this.number, title: options.title, body: options.body, labels: options.labels,
      state: closedAt ? 'CLOSED' : 'OPEN', stateReason: closedAt ? (options.stateReason ?? 'COMPLETED') : null,
      createdAt: iso(options.at), updatedAt: closedAt ?? iso(options.at + MINUTE), closedAt,
      author: options.author === undefined ? 'oncall' : options.author,
    };
    this.repo.issues.push(issue);
    return issue;
  }
}

/** Ids like GitHub's databaseId: unique across the organisation. */
export function idSequence(start = 1000) {
  let id = start;
  return { next: () => ++id };
}
