import { MINIMUM_SAMPLE } from '../reports/benchmarks.js';
import type { AnyPanel } from './grafana.js';
import { statPanel, timeSeriesPanel } from './panels.js';
import { bandsText, type Narrowing } from './sql/common.js';
import * as figures from './sql/figures.js';
import * as series from './sql/series.js';

/**
 * The panels both DORA dashboards share: the five figures and rework rate as stat panels
 * (refId = the figure's key in `dora report --format json`), and their trends. The
 * overview shows them for every service; the drill-down for the chosen ones.
 */

const window = 'in the time range (half-open: a range ending at 23:59:59.999 takes in that whole day)';
/** The tier sentence: bands named from src/reports/benchmarks.ts, the set chosen by the `benchmark` variable. */
const tier = (bands: string) =>
  `The tier is banded by the DORA \${benchmark} benchmark set (${bands}); fewer than ${MINIMUM_SAMPLE} rows give no tier ("insufficient data").`;

export function statPanels(narrowing: Narrowing): AnyPanel[] {
  return [
    statPanel({
      title: 'Deployment frequency',
      description: `Successful production deployments finished ${window}: per week, and the deployment days of the median Monday week (zero weeks included, in \${tz}). Failed attempts are not deployments; they are counted as deploy failures. ${tier('2023: elite with 5+ deployment days in the median week, high with 1+, medium with 1+ in the median month; 2021: elite 5+ a week, high 1+ in the median month, medium one deployment day per half year')}`,
      refId: 'deployment_frequency',
      sql: figures.deploymentFrequencySql(narrowing),
      figures: [
        { field: 'per_week', displayName: 'per week', unit: 'none', decimals: 1 },
        { field: 'deploy_days_per_week_median', displayName: 'deploy days, median week', unit: 'none' },
        { field: 'deployments', displayName: 'deployments (n)', unit: 'none' },
      ],
    }),
    statPanel({
      title: 'Lead time for changes',
      description: `Per change (a merged pull request, or a commit of its own) first shipped to production ${window}: deployment time minus the change's start (its first commit). Exact median and p90. A service's first deployment only sets its baseline. ${tier(bandsText('leadTime'))}`,
      refId: 'lead_time',
      sql: figures.leadTimeSql(narrowing),
      figures: [
        { field: 'median_seconds', displayName: 'median', unit: 's' },
        { field: 'p90_seconds', displayName: 'p90', unit: 's' },
        { field: 'changes', displayName: 'changes (n)', unit: 'none' },
      ],
    }),
    statPanel({
      title: 'Change failure rate',
      description: `Failed ÷ production deployments finished ${window}. Failed: an incident attributed to it, or rolled back (said by the source, or inferred from the commits). A deployment with several incidents counts once. ${tier(bandsText('failure'))}`,
      refId: 'change_failure_rate',
      sql: figures.changeFailureRateSql(narrowing),
      figures: [
        { field: 'rate', displayName: 'rate', unit: 'percentunit', decimals: 1 },
        { field: 'failed', displayName: 'failed', unit: 'none' },
        { field: 'deployments', displayName: 'of deployments', unit: 'none' },
      ],
    }),
    statPanel({
      title: 'Time to restore',
      description: `Incidents opened ${window}: exact median of resolved − opened over the resolved ones. Open incidents and invalid ones (resolved at or before opened) are counted apart, never used. ${tier(bandsText('restore'))}`,
      refId: 'time_to_restore',
      sql: figures.timeToRestoreSql(narrowing),
      figures: [
        { field: 'median_seconds', displayName: 'median', unit: 's' },
        { field: 'resolved', displayName: 'resolved (n)', unit: 'none' },
        { field: 'open', displayName: 'open', unit: 'none' },
      ],
    }),
    statPanel({
      title: 'Failed deployment recovery time',
      description: `Per failed production deployment finished ${window}: time until the next production deployment of the service that did not fail (the rollback or the fix). Median; not yet recovered ones are counted apart. Needs no incident tool. ${tier(bandsText('restore'))}`,
      refId: 'recovery_time',
      sql: figures.recoveryTimeSql(narrowing),
      figures: [
        { field: 'median_seconds', displayName: 'median', unit: 's' },
        { field: 'recovered', displayName: 'recovered (n)', unit: 'none' },
        { field: 'failed', displayName: 'failed', unit: 'none' },
      ],
    }),
    statPanel({
      title: 'Rework rate',
      description: `Production deployments finished ${window} that are rollbacks, or that finished while an incident of the service was open, ÷ production deployments. No DORA tier.`,
      refId: 'rework_rate',
      sql: figures.reworkRateSql(narrowing),
      tier: false,
      figures: [
        { field: 'rate', displayName: 'rate', unit: 'percentunit', decimals: 1 },
        { field: 'rework', displayName: 'rework', unit: 'none' },
        { field: 'deployments', displayName: 'of deployments', unit: 'none' },
      ],
    }),
  ];
}

const buckets = 'Buckets are the calendar days (ranges up to 14 days), Monday weeks (up to 732 days) or months of the range in ${tz}, as in dora report; an empty bucket is a gap, not 0.';

export function breakdownPanel(narrowing: Narrowing): AnyPanel {
  return statPanel({
    title: 'Lead time breakdown (pull requests)',
    description: `Median of each stage over the pull requests shipped ${window}: coding (first commit → opened), pickup (→ first review), review (→ merged), deploy (→ shipped). Medians of stages do not add up to the median lead time. A stage that would be negative is held at 0 and counted.`,
    refId: 'lead_time_breakdown',
    sql: figures.breakdownSql(narrowing),
    tier: false,
    figures: [
      { field: 'coding_median_seconds', displayName: 'coding', unit: 's' },
      { field: 'pickup_median_seconds', displayName: 'pickup', unit: 's' },
      { field: 'review_median_seconds', displayName: 'review', unit: 's' },
      { field: 'deploy_median_seconds', displayName: 'deploy', unit: 's' },
      { field: 'pull_requests', displayName: 'pull requests (n)', unit: 'none' },
      { field: 'clamped_stages', displayName: 'stages held at 0', unit: 'none' },
    ],
  });
}

export function trendPanels(narrowing: Narrowing): Record<'deploys' | 'lead' | 'stages' | 'failures' | 'recovery', AnyPanel> {
  return {
    deploys: timeSeriesPanel({
      title: 'Deployments per week',
      description: `Successful production deployments per Monday week in \${tz} (partial weeks at the edges count their days in the range), and failed attempts, which never went live.`,
      refId: 'series_week',
      sql: series.deploymentsPerWeekSql(narrowing),
      unit: 'none',
      style: 'bars',
      min: 0,
      columns: [
        { field: 'deployments', displayName: 'production deployments' },
        { field: 'deploy_failures', displayName: 'failed attempts' },
      ],
    }),
    lead: timeSeriesPanel({
      title: 'Lead time for changes, p50 and p90',
      description: `Exact median and p90 lead time of the changes shipped in each bucket. ${buckets}`,
      refId: 'series',
      sql: series.leadTimeSeriesSql(narrowing),
      unit: 's',
      style: 'lines',
      min: 0,
      columns: [
        { field: 'lead_time_p50', displayName: 'p50' },
        { field: 'lead_time_p90', displayName: 'p90' },
      ],
    }),
    stages: timeSeriesPanel({
      title: 'Lead time breakdown over time (stacked stage medians)',
      description: `Per bucket, the median of each pull request stage (coding, pickup, review, deploy), stacked. The stack is a sum of medians, not the median lead time. ${buckets}`,
      refId: 'series_stages',
      sql: series.breakdownSeriesSql(narrowing),
      unit: 's',
      style: 'bars',
      stacked: true,
      min: 0,
      columns: [
        { field: 'coding', displayName: 'coding' },
        { field: 'pickup', displayName: 'pickup' },
        { field: 'review', displayName: 'review' },
        { field: 'deploy', displayName: 'deploy' },
      ],
    }),
    failures: timeSeriesPanel({
      title: 'Change failure rate and rework rate',
      description: `Per bucket, failed ÷ production deployments and rework ÷ production deployments (by when the deployment finished). ${buckets}`,
      refId: 'series',
      sql: series.failureRateSeriesSql(narrowing),
      unit: 'percentunit',
      style: 'lines',
      min: 0,
      columns: [
        { field: 'change_failure_rate', displayName: 'change failure rate' },
        { field: 'rework_rate', displayName: 'rework rate' },
      ],
    }),
    recovery: timeSeriesPanel({
      title: 'Recovery time and time to restore',
      description: `Per bucket, the median failed deployment recovery time (by when the failed deployment finished) and the median time to restore (by when the incident opened, resolved ones only). ${buckets}`,
      refId: 'series',
      sql: series.recoverySeriesSql(narrowing),
      unit: 's',
      style: 'lines',
      min: 0,
      columns: [
        { field: 'recovery_median', displayName: 'failed deployment recovery (median)' },
        { field: 'time_to_restore_median', displayName: 'time to restore (median)' },
      ],
    }),
  };
}
