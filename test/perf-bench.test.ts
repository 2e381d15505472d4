import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/store.js';

/**
 * `npm run bench` at the tiny size (what CI can afford), so the suite keeps working. Benchmarks are
 * not timed tests: this checks what was measured and counted, never how fast.
 */
describe('the benchmark suite at the tiny size', () => {
  const tmp = tempDir('dora-bench-test-');
  const resultsPath = join(tmp.dir, 'results.json');
  let run: ReturnType<typeof spawnSync>;
  let results: any;

  beforeAll(() => {
    run = spawnSync(process.execPath, ['bench/run.mjs', 'tiny', 'collectors'], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_RESULTS: resultsPath },
      timeout: 120_000,
    });
    results = JSON.parse(readFileSync(resultsPath, 'utf8'));
  }, 130_000);
  afterAll(() => tmp.remove());

  it('measures every step of the tiny organisation', () => {
    expect(run.status).toEqual(0);
    const tiny = results.sizes.tiny;
    // 5 services, each 400 commits, 400 / 5 = 80 PRs, 40 deployments and 4 incidents: 5 × 524 = 2,620 lines.
    expect(tiny.events).toEqual(2620);
    expect(tiny.import.rejected).toEqual(0);
    expect(tiny.derive.incidents).toEqual(20);
    // The new deployment ships 10 new commits on svc0's last commit, and svc0's commits 390-399 that its last
    // deployment (d39, of the merge at 389) had not shipped yet: two PRs. 10 + 2 = 12 changes, one service derived,
    // through the append path (only what it shipped is walked).
    expect([tiny.incremental.services_derived, tiny.incremental.appended, tiny.incremental.changes_shipped]).toEqual([1, 1, 12]);
    for (const figure of [tiny.import.seconds, tiny.import.native_seconds, tiny.derive.seconds, tiny.report.all_seconds, tiny.report.one_seconds]) {
      expect(figure).toBeGreaterThan(0);
    }
    expect(Object.keys(results.targets.memory_under_1gb)).toEqual(['tiny']);
  });

  it('runs each collector against its local server', () => {
    expect([results.collectors.git.objects, results.collectors.github.objects, results.collectors.heroku.objects]).toEqual([2000, 20, 1000]);
    expect(results.collectors.heroku.requests_per_100).toBeGreaterThan(0);
    expect(results.collectors.github.requests_per_100).toBeGreaterThan(0);
    // PagerDuty, 1,000 incidents over 180 days (2 still open: numbers 0 and 500): six 30-day windows of 166-167
    // incidents, two pages of 100 each, 12 requests. An hour later nothing is new: one empty window and one
    // listing of what is open, which writes the 2 open incidents again.
    const { pagerduty, opsgenie } = results.collectors;
    expect([pagerduty.objects, pagerduty.requests_per_100, pagerduty.next_run_requests, pagerduty.next_run_written]).toEqual([1000, 1.2, 2, 2]);
    // Opsgenie alerts, 1,000 in 10 pages of 100, each alert read once more by id for its details: 1,010 requests.
    // Incidents: the 10 pages only. An hour later: one empty page and one listing of the 2 still open, nothing written.
    expect([opsgenie.objects, opsgenie.stored, opsgenie.requests_per_100, opsgenie.next_run_requests, opsgenie.next_run_written]).toEqual([1000, 1000, 101, 2, 0]);
    const incidents = opsgenie.incidents;
    expect([incidents.objects, incidents.stored, incidents.requests_per_100, incidents.next_run_requests, incidents.next_run_written]).toEqual([1000, 1000, 1, 2, 0]);
  });

  it('prints the table', () => {
    expect(run.stdout).toMatch(/^import \/ native\s+\S+/m);
    expect(run.stdout).toMatch(/^collector heroku\s+\S+ events\/s/m);
  });
});
