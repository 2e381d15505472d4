/** Release health (DESIGN.md §5): what was seen about a production release, and what to do about it. */

export type Verdict = 'healthy' | 'watch' | 'rollback';
export const verdictRank: Record<Verdict, number> = { healthy: 0, watch: 1, rollback: 2 };

/** Is the release still what runs? `rolled_back` and `replaced` both end an alert (a resolution is sent). */
export type ReleaseState = 'live' | 'replaced' | 'rolled_back';

export type SignalKind = 'incident' | 'rollback' | 'revert' | 'health_check' | 'error_ratio' | 'latency';

/** One piece of evidence against a release. `weight` is how sure it makes us (0..1). */
export interface Signal {
  kind: SignalKind;
  severity: Exclude<Verdict, 'healthy'>;
  weight: number;
  reason: string;
}

/** One production release as derive sees it, plus the facts release health reads beside it. */
export interface Release {
  service: string;
  id: string;
  finishedAt: number;
  environment: string;
  source: string;
  version: string;
  url: string;
  repo: string;
  sha: string;
  commitSha: string;
  failed: boolean;
  incidents: string[];
  rolledBackBy: string;
  rollbackMethod: '' | 'explicit' | 'inferred';
  isRollback: boolean;
  revertedBy: string[];
}

export interface TelemetrySide {
  spans: number;
  errors: number;
  /** Errors ÷ spans, or null without spans. */
  errorRatio: number | null;
  p95Ms: number | null;
}

/** The telemetry comparison of a release with the previous one over equal windows. */
export interface TelemetryComparison {
  table: string;
  serviceName: string;
  window: { since: string; until: string; seconds: number };
  previousRelease: string;
  current: TelemetrySide;
  previous: TelemetrySide;
  /** Why it was not compared (too few spans), or null when it was. */
  skipped: string | null;
  errorRatioChange: number | null;
  zScore: number | null;
  pValue: number | null;
  latencyRatio: number | null;
}

export interface RollbackTarget {
  id: string;
  version: string;
  sha: string;
  finishedAt: string;
  /** `heroku releases:rollback v41 -a acme-api`, or '' where no platform command applies. */
  command: string;
  /** What to do, fit to print: the command, or the deployment and commit to return to. */
  instruction: string;
}

export interface ReleaseVerdict {
  service: string;
  release: Release;
  verdict: Verdict;
  confidence: number;
  /** Human reasons: the signals first, then what was looked at and found fine. */
  reasons: string[];
  signals: Signal[];
  telemetry: TelemetryComparison | null;
  window: { until: number; complete: boolean; observedSeconds: number; lengthSeconds: number };
  state: ReleaseState;
  replacedBy: string;
  rollbackTarget: RollbackTarget | null;
  /** The suspect commit's author and first message line, when the commit is in the store. */
  suspect: { sha: string; author: string; title: string } | null;
  /** The previous release's commit, for a diff link. */
  previousSha: string;
  incidentLinks: { id: string; url: string }[];
  evaluatedAt: number;
}
