import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCollector } from '../src/collectors/git/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { buildReport } from '../src/reports/index.js';
import { TestRepo } from './git-fixture.js';
import { queryRows, tempStore } from './helpers/store.js';

/**
 * Several agents collecting into one ClickHouse at the same time converge without duplicates.
 *
 * The embedded engine lets one process hold a data directory, so the "agents" here are concurrent
 * collector runs (and reports) in one process sharing one store, as several agents share one server:
 * their inserts and queries are in flight together in the engine. Three agents collect a repository
 * each, a fourth overlaps two of them, and then all four run again at once; two reports derive at once.
 * What it proves: writes are idempotent under concurrency (ReplacingMergeTree on natural ids, FINAL
 * reads) and concurrent derivations leave one current row per object. What it cannot prove here:
 * several processes or hosts (see test/cluster-schema.test.ts for the cluster DDL).
 */

const hour = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString();
const halfHourAfter = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 3_600_000 + 1_800_000).toISOString();

describe('four agents collecting three repositories into one store at once', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  const repos: Record<string, TestRepo> = {};
  const log = { info() {}, warn() {}, error() {} };
  const agent = Config.parse({});
  const collect = (names: string[]) =>
    runCollector(store.client, gitCollector, {
      agent,
      section: names.map((name) => ({ repo: repos[name]!.dir, name: `acme/${name}`, service: name, deployTags: 'v*' })),
      log,
    });

  beforeAll(async () => {
    store = await tempStore();
    // Each repository: commits 1..20, one an hour; deploy tags v1..v4 on commits 5, 10, 15, 20, half an hour later.
    for (const name of ['alpha', 'beta', 'gamma']) {
      const repo = TestRepo.init(join(store.dir, name));
      for (let n = 1; n <= 20; n++) {
        const sha = repo.commit(`${name} change ${n}`, hour(n));
        if (n % 5 === 0) repo.tag(`v${n / 5}`, sha, halfHourAfter(n));
      }
      repos[name] = repo;
    }
    const agents = [['alpha'], ['beta'], ['gamma'], ['alpha', 'beta']];
    await Promise.all(agents.map(collect));
    await Promise.all(agents.map(collect));
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('stores each commit and deployment once', async () => {
    const [counts] = await queryRows<Record<string, number>>(
      store.client,
      `SELECT (SELECT count() FROM commits FINAL) AS commits, (SELECT count() FROM deployments FINAL) AS deployments,
              (SELECT count() FROM (SELECT repo, sha FROM commits FINAL GROUP BY repo, sha HAVING count() > 1)) AS duplicate_commits,
              (SELECT count() FROM (SELECT id FROM deployments FINAL GROUP BY id HAVING count() > 1)) AS duplicate_deployments`,
    );
    // 3 repositories × 20 commits; 3 × 4 deploy tags.
    expect(counts).toEqual({ commits: 60, deployments: 12, duplicate_commits: 0, duplicate_deployments: 0 });
  });

  it('gives the same figures to two reports deriving at the same time, with one current row per object', async () => {
    const config = Config.parse({});
    const window = { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-01-02T00:00:00Z'), config };
    const [a, b] = await Promise.all([buildReport(store.client, window), buildReport(store.client, window)]);
    expect(a.overall).toEqual(b.overall);
    // Per service v1 is the baseline; v2, v3, v4 each ship five commits: 3 × 3 × 5 = 45 changes.
    // Each block's commits were authored 4.5, 3.5, 2.5, 1.5 and 0.5 h before its tag, nine times over:
    // the median is 2.5 h = 9,000 s.
    expect([a.overall.deployment_frequency.deployments, a.overall.lead_time.changes, a.overall.lead_time.median_seconds]).toEqual([12, 45, 9000]);
    const [current] = await queryRows<Record<string, number>>(
      store.client,
      `SELECT (SELECT count() FROM current_deployments) AS deployments, (SELECT count() FROM current_changes) AS changes,
              (SELECT count() FROM derived_state FINAL) AS services`,
    );
    expect(current).toEqual({ deployments: 12, changes: 45, services: 3 });
  });
});
