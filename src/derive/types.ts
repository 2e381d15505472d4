/** Inputs of a service's derivation, as read from the store (times in epoch milliseconds). */
export interface ProductionDeployment {
  id: string;
  service: string;
  environment: string;
  finishedAt: number;
  source: string;
  version: string;
  url: string;
  repo: string;
  sha: string;
  rollbackOf: string;
}

export interface IncidentInput {
  id: string;
  service: string;
  openedAt: number;
  resolvedAt: number | null;
  title: string;
  severity: string;
  /** The deployment the source says caused it ('' when it does not say). */
  deployment: string;
  /** Title, description and custom fields: where a release version or a commit may be named. */
  text: string;
  /** A commit the source names (`extra.sha`), '' when none. */
  sha: string;
}

/** A person's decision (`dora link` / `dora unlink`), which comes before every automatic rule. */
export interface ManualLink {
  action: 'link' | 'unlink';
  deployment: string;
  author: string;
  note: string;
}

/** Where a deployment's commit sits: resolved in a repository's graph, or why not. */
export type CommitStatus = 'resolved' | 'no_sha' | 'no_repo' | 'unknown' | 'ambiguous';

export interface Placement {
  status: CommitStatus;
  repo: string;
  /** Index in the repository's graph when resolved, else -1. */
  commit: number;
  commitSha: string;
  /** Why it is not resolved, fit to print. */
  note: string;
}

/**
 * Rows of the derived tables (DESIGN.md §4), without `scope` and `run`, which the writer
 * adds. Times are epoch milliseconds: ClickHouse reads an integer into DateTime64(3) as
 * milliseconds since the epoch (UTC), and numbers cost far less to write than text.
 */
type Millis = number;
export interface DerivedDeploymentRow {
  service: string;
  id: string;
  finished_at: Millis;
  environment: string;
  source: string;
  version: string;
  url: string;
  repo: string;
  sha: string;
  commit_sha: string;
  commit_status: CommitStatus;
  commit_note: string;
  baseline: number;
  commits: number;
  changes: number;
  failed: number;
  failure_reasons: string[];
  incidents: string[];
  rolled_back_by: string;
  rollback_method: '' | 'explicit' | 'inferred';
  rollback_of: string;
  is_rollback: number;
  reverted_by: string[];
  rework: number;
  rework_reason: string;
  recovered_at: Millis | null;
  recovered_by: string;
  recovery_seconds: number | null;
}

export interface DerivedChangeRow {
  service: string;
  change_key: string;
  kind: 'pr' | 'commit';
  repo: string;
  pr_number: number;
  title: string;
  commits: number;
  start_at: Millis;
  start_source: 'first_commit' | 'pr_created' | 'authored';
  pr_created_at: Millis | null;
  first_review_at: Millis | null;
  merged_at: Millis | null;
  deployment_id: string;
  deployed_at: Millis;
  lead_seconds: number;
  coding_seconds: number | null;
  pickup_seconds: number | null;
  review_seconds: number | null;
  deploy_seconds: number | null;
  clamped_stages: string[];
}

/** A commit and the production deployment that first shipped it (a baseline's history included). */
export interface DerivedCommitRow {
  service: string;
  repo: string;
  sha: string;
  deployment_id: string;
}

export type IncidentStatus = 'resolved' | 'open' | 'invalid';
export type LinkMethod = 'manual' | 'explicit' | 'deployment_id' | 'version' | 'sha' | 'rollback' | 'revert' | 'window' | 'none';

export interface DerivedIncidentRow {
  service: string;
  id: string;
  opened_at: Millis;
  resolved_at: Millis | null;
  title: string;
  severity: string;
  status: IncidentStatus;
  restore_seconds: number | null;
  deployment_id: string;
  deployment_service: string;
  link_method: LinkMethod;
  /** 1 for a person's or a named link, less for the window (closer is surer), 0 for none. */
  link_confidence: number;
  link_reason: string;
}
