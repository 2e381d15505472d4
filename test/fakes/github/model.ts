import { createHash } from 'node:crypto';

/** What a GitHub organisation holds, in the shapes GitHub's GraphQL objects have. */

export interface FakeCommit {
  oid: string;
  parents: string[];
  authoredDate: string;
  committedDate: string;
  message: string;
  /** `login` null: the author has no GitHub account (or it was deleted). */
  author: { name: string; email: string; login: string | null };
}

export interface FakeReview {
  author: string | null;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  submittedAt: string | null;
}

export interface FakePull {
  number: number;
  title: string;
  state: 'MERGED' | 'OPEN' | 'CLOSED';
  /** null: a deleted user (GitHub's "ghost"). */
  author: string | null;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  baseRefName: string;
  mergeCommit: string | null;
  labels: string[];
  /** The PR's own commits, oldest first. */
  commits: string[];
  reviews: FakeReview[];
}

export interface FakeStatus {
  state: 'PENDING' | 'SUCCESS' | 'FAILURE' | 'INACTIVE' | 'ERROR' | 'QUEUED' | 'IN_PROGRESS' | 'WAITING';
  createdAt: string;
  environmentUrl?: string;
  logUrl?: string;
}

export interface FakeDeployment {
  databaseId: number;
  environment: string;
  createdAt: string;
  updatedAt: string;
  commitOid: string;
  ref: string | null;
  task: string;
  creator: string | null;
  statuses: FakeStatus[];
}

export interface FakeRelease {
  databaseId: number;
  name: string;
  tagName: string;
  createdAt: string;
  publishedAt: string | null;
  isDraft: boolean;
  isPrerelease: boolean;
  tagCommit: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'OPEN' | 'CLOSED';
  stateReason: 'COMPLETED' | 'NOT_PLANNED' | 'REOPENED' | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  labels: string[];
  author: string | null;
}

export interface FakeRepo {
  owner: string;
  name: string;
  isArchived: boolean;
  isFork: boolean;
  /** null for an empty repository. */
  defaultBranch: string | null;
  branches: Record<string, string>;
  commits: Map<string, FakeCommit>;
  pulls: FakePull[];
  deployments: FakeDeployment[];
  releases: FakeRelease[];
  issues: FakeIssue[];
}

export interface FakeOrg {
  login: string;
  repos: FakeRepo[];
}

export const sha = (seed: string) => createHash('sha1').update(seed).digest('hex');
export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 24 * HOUR;

export function emptyRepo(owner: string, name: string, flags: Partial<Pick<FakeRepo, 'isArchived' | 'isFork'>> = {}): FakeRepo {
  return {
    owner, name, isArchived: false, isFork: false, ...flags, defaultBranch: null, branches: {},
    commits: new Map(), pulls: [], deployments: [], releases: [], issues: [],
  };
}
