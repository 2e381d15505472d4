// The Grafana dashboards over the report bench's generated organisation (bench/cases/report.mjs --generate):
// BENCH_DASHBOARDS_DEPLOYMENTS (default 1,000,000) deployments and BENCH_DASHBOARDS_COMMITS (default 10,000,000)
// commits over 100 services. After one `dora dashboards refresh` (derive), every panel of every dashboard is
// expanded as the ClickHouse plugin would and run, over the whole year and over its last 90 days: what a wall
// screen costs the server on each refresh. Prints the total and the slowest panel, and the peak RSS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const deployments = Number(process.env.BENCH_DASHBOARDS_DEPLOYMENTS ?? 1_000_000);
const commits = Number(process.env.BENCH_DASHBOARDS_COMMITS ?? 10_000_000);
const services = 100;
const mode = process.argv[2];
const home = process.argv[3];
// The generated span (report.mjs): from 2025-01-01, ten commits of six minutes per deployment of a service.
const spanEnd = Date.UTC(2025, 0, 1) + ((deployments / services) * 10 + 20) * 6 * 60_000;

async function measure() {
  const { openStore } = await import('../../dist/store/connect.js');
  const { Config } = await import('../../dist/config/schema.js');
  const { allDashboards } = await import('../../dist/dashboards/boards/index.js');
  const { refreshDashboards } = await import('../../dist/dashboards/refresh.js');
  const { previewDashboard } = await import('../../dist/dashboards/preview.js');
  const store = await openStore({ home });
  const started = performance.now();
  await refreshDashboards(store.client, { config: Config.parse({}) });
  const refresh = (performance.now() - started) / 1000;
  const ranges = {
    year: { from: Date.UTC(2025, 0, 1), to: spanEnd },
    '90 days': { from: spanEnd - 90 * 86_400_000, to: spanEnd },
  };
  const results = [];
  for (const [range, bounds] of Object.entries(ranges)) {
    let total = 0;
    let panels = 0;
    let slowest = { seconds: 0, panel: '' };
    for (const dashboard of Object.values(allDashboards())) {
      // One panel at a time, timed alone: previewDashboard runs the variable queries, then each target.
      for (const panel of dashboard.panels.filter((item) => (item.targets ?? []).length > 0)) {
        const single = { ...dashboard, panels: [panel] };
        const before = performance.now();
        await previewDashboard(store.client, single, { ...bounds, intervalMs: 86_400_000 });
        const seconds = (performance.now() - before) / 1000;
        total += seconds;
        panels++;
        if (seconds > slowest.seconds) slowest = { seconds, panel: `${dashboard.title} / ${panel.title}` };
      }
    }
    results.push({ range, panels, total_s: Number(total.toFixed(2)), slowest_s: Number(slowest.seconds.toFixed(2)), slowest: slowest.panel });
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ refresh_s: Number(refresh.toFixed(2)), results, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}

if (mode === '--measure') {
  await measure();
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dora-bench-dashboards-'));
  const storeHome = join(dir, 'store');
  const env = { ...process.env, BENCH_REPORT_DEPLOYMENTS: String(deployments), BENCH_REPORT_COMMITS: String(commits), BENCH_REPORT_SERVICES: String(services) };
  const child = (file, args) => spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env });
  try {
    const generated = child(join(here, 'report.mjs'), ['--generate', storeHome]);
    if (generated.status !== 0) throw new Error('generating the organisation failed');
    const measured = child(fileURLToPath(import.meta.url), ['--measure', storeHome]);
    if (measured.status !== 0) throw new Error('the dashboards failed');
    const figures = JSON.parse(measured.stdout);
    console.log(JSON.stringify({ name: 'dashboards refresh (derive all)', deployments, commits, services, seconds: figures.refresh_s }));
    for (const result of figures.results) {
      console.log(JSON.stringify({ name: `dashboards every panel, ${result.range}`, panels: result.panels, seconds: result.total_s, slowest_s: result.slowest_s, slowest: result.slowest, peak_rss_mb: figures.peak_rss_mb }));
    }
    if (deployments < 1_000_000) console.log(JSON.stringify({ name: 'dashboards note', size: 'reduced; unset BENCH_DASHBOARDS_* for the full size' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
