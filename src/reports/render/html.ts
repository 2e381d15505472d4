import type { Metrics, Report, Series } from '../types.js';
import { groupsOf, heading, type Figure } from './figures.js';
import { decimal, duration, percent } from './format.js';
import { chart, escapeXml as escape, stackedRows } from './svg.js';

const colors = { deploy: '#0969da', failed: '#cf222e', p50: '#0969da', p90: '#8250df', restore: '#bf8700', recovery: '#1a7f37' };
const stageColors = ['#54aeff', '#d4a72c', '#a475f9', '#4ac26b'];

/** Axis unit for durations: minutes, hours or days, by the largest value. */
function durationAxis(values: (number | null)[]): { scale: (seconds: number | null) => number | null; format: (value: number) => string; unit: string } {
  const top = Math.max(0, ...values.filter((value): value is number => value !== null));
  const [divisor, unit] = top < 2 * 3600 ? [60, 'min'] : top < 2 * 86400 ? [3600, 'h'] : [86400, 'd'];
  return { scale: (seconds) => (seconds === null ? null : seconds / divisor), format: (value) => `${decimal(value, 1)} ${unit}`, unit };
}

function card(figure: Figure): string {
  const tierClass = ['elite', 'high', 'medium', 'low'].includes(figure.tier) ? figure.tier : 'none';
  return `<div class="card"><div class="label">${escape(figure.label)}</div><div class="value">${escape(figure.text)}</div>
<div>${figure.tier === '-' ? '' : `<span class="tier ${tierClass}">${escape(figure.tier)}</span> `}<span class="n">n = ${figure.n}</span></div>
<div class="trend">${escape(figure.trend)} <span class="muted">vs previous window</span></div>${figure.detail ? `<div class="detail">${escape(figure.detail)}</div>` : ''}</div>`;
}

function charts(report: Report, series: Series): string {
  const per = report.series.granularity;
  const labels = report.series.buckets;
  // Days and weeks by month-day, months by year-month.
  const tick = (label: string) => (per === 'month' ? label.slice(0, 7) : label.slice(5));
  const leadAxis = durationAxis([...series.lead_time_p50, ...series.lead_time_p90]);
  const restoreAxis = durationAxis(series.time_to_restore_median);
  const recoveryAxis = durationAxis(series.recovery_median);
  const succeeded = series.deployments.map((count, index) => count - (series.failed[index] ?? 0));
  return [
    chart({
      title: `Production deployments per ${per}`,
      labels,
      tick,
      kind: 'bar',
      stacked: true,
      series: [
        { name: 'did not fail', values: succeeded, color: colors.deploy },
        { name: 'failed (incident or rollback)', values: series.failed, color: colors.failed },
      ],
      format: (value) => decimal(value, 1),
    }),
    chart({
      title: `Lead time for changes per ${per} (${leadAxis.unit})`,
      labels,
      tick,
      kind: 'line',
      series: [
        { name: 'median (p50)', values: series.lead_time_p50.map(leadAxis.scale), color: colors.p50 },
        { name: 'p90', values: series.lead_time_p90.map(leadAxis.scale), color: colors.p90 },
      ],
      format: leadAxis.format,
    }),
    chart({
      title: `Change failure rate per ${per}`,
      labels,
      tick,
      kind: 'bar',
      series: [{ name: 'failed ÷ deployments', values: series.change_failure_rate.map((rate) => (rate === null ? null : rate * 100)), color: colors.failed }],
      format: (value) => `${decimal(value, 1)} %`,
    }),
    chart({
      title: `Failed deployment recovery per ${per} (median, ${recoveryAxis.unit})`,
      labels,
      tick,
      kind: 'line',
      series: [{ name: 'until the next deployment that did not fail', values: series.recovery_median.map(recoveryAxis.scale), color: colors.recovery }],
      format: recoveryAxis.format,
    }),
    chart({
      title: `Time to restore per ${per} (median of incidents opened, ${restoreAxis.unit})`,
      labels,
      tick,
      kind: 'line',
      series: [{ name: 'opened → resolved', values: series.time_to_restore_median.map(restoreAxis.scale), color: colors.restore }],
      format: restoreAxis.format,
    }),
  ]
    .map((svg) => `<figure>${svg}</figure>`)
    .join('\n');
}

function breakdownChart(groups: [string, Metrics][]): string {
  const rows = groups.map(([label, metrics]) => {
    const { breakdown } = metrics.lead_time;
    return { label, values: [breakdown.coding, breakdown.pickup, breakdown.review, breakdown.deploy].map((stage) => stage.median_seconds) };
  });
  const axis = durationAxis(rows.flatMap((row) => row.values));
  const stages = ['coding', 'pickup', 'review', 'deploy'].map((name, index) => ({ name, color: stageColors[index] as string }));
  return `<figure>${stackedRows(`Lead-time breakdown of pull requests (median per stage, ${axis.unit})`, stages, rows, (value) => duration(value))}</figure>`;
}

function summaryTable(report: Report, kind: 'service' | 'team'): string {
  const groups = groupsOf(report).filter((group) => group.kind === kind);
  if (groups.length === 0) return '';
  const header = groups[0]!.figures.map((figure) => `<th>${escape(figure.label)}</th>`).join('');
  const body = groups
    .map(
      (group) =>
        `<tr><th scope="row">${escape(group.name)}</th>${group.figures
          .map((figure) => {
            const tier = figure.tier === '-' ? '' : `<span class="tier ${['elite', 'high', 'medium', 'low'].includes(figure.tier) ? figure.tier : 'none'}">${escape(figure.tier)}</span> `;
            return `<td>${escape(figure.text)}<br>${tier}<span class="n">n = ${figure.n}</span></td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<h2>Per ${kind}</h2><table><thead><tr><th>${kind}</th>${header}</tr></thead><tbody>${body}</tbody></table>`;
}

const style = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1360px;padding:0 16px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.muted,.n{color:#656d76;font-size:12px}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 12px}.label{color:#656d76;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.value{font-size:20px;font-weight:600;margin:2px 0}.trend{font-size:12px}.detail{font-size:12px;color:#656d76;margin-top:4px}
.tier{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff;background:#8c959f}
.tier.elite{background:#1a7f37}.tier.high{background:#0969da}.tier.medium{background:#9a6700}.tier.low{background:#cf222e}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:12px}figure{margin:0;border:1px solid #d0d7de;border-radius:8px;padding:8px}
svg{width:100%;height:auto}svg .grid{stroke:#eaeef2}svg .axis{font-size:11px;fill:#656d76}svg .title{font-size:13px;font-weight:600;fill:#1f2328}svg .legend{font-size:11px;fill:#1f2328}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}thead th{background:#f6f8fa}
footer{margin-top:28px;color:#656d76;font-size:12px}`;

/** One self-contained page: inline CSS and SVG, no script, no external resource, opens offline. */
export function renderHtml(report: Report): string {
  const overall = groupsOf(report)[0]!;
  const breakdownGroups: [string, Metrics][] = [['overall', report.overall], ...Object.entries(report.services)];
  const settings = report.settings;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>DORA report ${escape(report.window.since.slice(0, 10))} – ${escape(report.window.until.slice(0, 10))}</title>
<style>${style}</style></head>
<body>
<header><h1>DORA metrics</h1><div class="muted">${escape(heading(report))}</div></header>
<h2>Overall</h2>
<section class="cards" id="overall">${overall.figures.map(card).join('\n')}</section>
<h2>Over time</h2>
<section class="charts">${charts(report, report.series.overall)}
${breakdownChart(breakdownGroups)}</section>
${summaryTable(report, 'service')}
${summaryTable(report, 'team')}
<footer>
<p>Windows are half-open [since, until); calendar buckets in ${escape(settings.tz)}, weeks start on Monday. n = rows behind a figure; a figure from fewer than ${settings.minimum_sample} rows gets no tier (insufficient data); no data is n/a, never 0. Quantiles: ${escape(settings.quantiles)}.</p>
<p>Change failure rate = failed ÷ production deployments (a deployment with an attributed incident or rolled back, counted once). Incidents are linked to a deployment by a person (dora link), by the deployment, release or commit they name, by a rollback or revert around them, else to the latest production deployment of their service up to ${settings.attribution_window_hours} h before. Rework rate = rollbacks and deployments made while an incident was open ÷ deployments (${percent(report.overall.rework_rate.rate)} overall).</p>
<p>Generated ${escape(report.generated_at)} by dora-agent. Explain any figure with <code>dora report --explain METRIC</code>.</p>
</footer>
</body></html>
`;
}
