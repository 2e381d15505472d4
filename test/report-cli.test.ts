import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commit, deployment, incident, line, pullRequest, toNdjson, type Raw } from './fixtures/report/events.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

const tmp = tempDir();
const home = join(tmp.dir, 'store');
const configPath = join(tmp.dir, 'dora.config.json');
const dora = (...args: string[]) => runCli(['--home', home, '--config', configPath, ...args]);
const march = ['--since', '2026-03-01', '--until', '2026-03-08'];

// api (team core): a baseline in February, then a PR, a direct push, a failed deployment rolled back by the source.
// web (team storefront): two deployments, one staging deployment, one failed attempt.
const events: Raw[] = [
  commit('acme/api', 'b0', [], '2026-02-01T09:00:00Z'),
  deployment('api-1', 'api', '2026-02-20T10:00:00Z', { repo: 'acme/api', commit: 'b0' }),
  commit('acme/api', 'f1', ['b0'], '2026-03-02T08:00:00Z'),
  commit('acme/api', 'm1', ['b0', 'f1'], '2026-03-02T12:00:00Z'),
  pullRequest('acme/api', 12, { created: '2026-03-02T09:00:00Z', review: '2026-03-02T10:00:00Z', merged: '2026-03-02T12:00:00Z', merge: 'm1', commits: ['f1'], title: 'Payment retries' }),
  deployment('api-2', 'api', '2026-03-02T14:00:00Z', { repo: 'acme/api', commit: 'm1' }),
  ...line('acme/api', ['p1'], 'm1', '2026-03-03T08:00:00Z'),
  deployment('api-3', 'api', '2026-03-03T10:00:00Z', { repo: 'acme/api', commit: 'p1' }),
  incident('PD-7', 'api', '2026-03-03T10:20:00Z', { resolved: '2026-03-03T10:50:00Z' }),
  deployment('api-4', 'api', '2026-03-03T10:41:00Z', { repo: 'acme/api', commit: 'm1', rollbackOf: 'api-3' }),
  deployment('web-1', 'web', '2026-03-04T16:00:00Z', { sha: 'abcdef1' }),
  deployment('web-2', 'web', '2026-03-05T16:00:00Z', { sha: 'abcdef2' }),
  deployment('web-s', 'web', '2026-03-05T15:00:00Z', { sha: 'abcdef2', environment: 'staging' }),
  deployment('web-x', 'web', '2026-03-05T17:00:00Z', { sha: 'abcdef3', status: 'failure' }),
];

beforeAll(async () => {
  writeFileSync(configPath, JSON.stringify({ services: { api: { repos: ['acme/api'], team: 'core' }, web: { team: 'storefront' } } }));
  writeFileSync(join(tmp.dir, 'events.ndjson'), toNdjson(events));
  const imported = await dora('import', join(tmp.dir, 'events.ndjson'));
  expect(imported.code).toBe(0);
});
afterAll(() => tmp.remove());

describe('dora report', () => {
  it('prints the DESIGN §6 JSON shape with overall, service and team figures', async () => {
    const result = await dora('report', ...march, '--format', 'json');
    expect(result.code).toBe(0);
    const report = result.json();
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['window', 'environment', 'benchmark', 'overall', 'services', 'teams']));
    expect(report.window).toEqual({ since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z', days: 7 });
    expect(report.environment).toEqual('production,prod');
    expect(Object.keys(report.services)).toEqual(['api', 'web']);
    expect(Object.keys(report.teams)).toEqual(['core', 'storefront']);
    const api = report.services.api;
    expect(Object.keys(api)).toEqual(['deployment_frequency', 'lead_time', 'change_failure_rate', 'time_to_restore', 'recovery_time', 'rework_rate']);
    expect(Object.keys(api.deployment_frequency)).toEqual(['deployments', 'per_day', 'per_week', 'deploy_days', 'deploy_days_per_week_median', 'deploy_days_per_month_median', 'deploy_failures', 'tier']);
    expect(Object.keys(api.lead_time)).toEqual(['changes', 'median_seconds', 'p90_seconds', 'tier', 'breakdown']);
    expect(Object.keys(api.time_to_restore)).toEqual(['incidents', 'resolved', 'open', 'invalid', 'median_seconds', 'p90_seconds', 'tier']);
    expect(Object.keys(api.recovery_time)).toEqual(['failed', 'recovered', 'median_seconds', 'tier']);
    // api in March: api-2, api-3, api-4. api-3 failed (PD-7 20 min after, and rolled back by api-4): 1/3.
    expect(api.change_failure_rate).toEqual({ failed: 1, deployments: 3, rate: 1 / 3, tier: null });
    // Changes: PR 12 (f1 08:00 → 14:00 = 6 h) and p1 (08:00 → 10:00 = 2 h): median 4 h.
    expect(api.lead_time.median_seconds).toEqual(4 * 3600);
    // Recovery: api-3 10:00 → api-4 10:41 = 41 min.
    expect(api.recovery_time).toEqual({ failed: 1, recovered: 1, median_seconds: 41 * 60, tier: null });
    // web: two production deployments; the staging one and the failed attempt do not count.
    expect(report.services.web.deployment_frequency).toMatchObject({ deployments: 2, deploy_failures: 1 });
    // Overall: 3 + 2 deployments.
    expect(report.overall.deployment_frequency.deployments).toEqual(5);
    expect(report.teams.core).toEqual(api);
  });

  it('indents the JSON on a terminal and writes it on one line when piped or to a file', async () => {
    const piped = await dora('report', ...march, '--format', 'json');
    const terminal = await runCli(['--home', home, '--config', configPath, 'report', ...march, '--format', 'json'], { terminal: true });
    const file = join(tmp.dir, 'report.json');
    await runCli(['--home', home, '--config', configPath, 'report', ...march, '--format', 'json', '--out', file], { terminal: true });
    expect(piped.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(1);
    expect(terminal.stdout).toContain('\n  "window": {\n    "since": "2026-03-01T00:00:00.000Z",');
    // The same document either way (generated_at aside).
    const content = (text: string) => ({ ...JSON.parse(text), generated_at: undefined });
    expect(content(terminal.stdout)).toEqual(content(piped.stdout));
    expect(content(readFileSync(file, 'utf8'))).toEqual(content(piped.stdout));
  });

  it('prints a table per group with tier, n, trend and a sparkline', async () => {
    const result = await dora('report', ...march);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DORA report 2026-03-01 → 2026-03-08 UTC (7 days, until excluded)');
    expect(result.stdout).toContain('service api');
    expect(result.stdout).toMatch(/change failure rate\s+33\.3 % \(1\/3\)\s+3\s+insufficient data\s+new\s+/);
    // api deployments per day from Sunday 1 March: 0, 1, 2, 0, 0, 0, 0 (1 of 2 is the 5th of 8 levels: round(0.5 × 7) = 4).
    expect(result.stdout).toMatch(/deployment frequency\s+3 \/ week\s+3\s+insufficient data\s+▲ \+3\s+▁▅█▁▁▁▁/);
    expect(result.stdout).toContain('team core');
  });

  it('prints markdown and csv', async () => {
    const markdown = await dora('report', ...march, '--format', 'markdown', '--service', 'api');
    expect(markdown.stdout).toContain('| change failure rate | 33.3 % (1/3) | 3 | insufficient data | new |');
    const csv = await dora('report', ...march, '--format', 'csv', '--service', 'api');
    const rows = csv.stdout.trim().split('\r\n');
    expect(rows[0]).toEqual('group_kind,group,metric,value,unit,n,tier,trend,since,until,benchmark');
    expect(rows).toContain('service,api,lead_time,14400,seconds,2,insufficient data,new,2026-03-01T00:00:00.000Z,2026-03-08T00:00:00.000Z,2023');
  });

  it('narrows to a team, to other environments and names the benchmark set', async () => {
    const team = (await dora('report', ...march, '--team', 'core', '--format', 'json')).json();
    expect(Object.keys(team.services)).toEqual(['api']);
    const staging = (await dora('report', ...march, '--env', 'staging', '--format', 'json', '--benchmark', '2021')).json();
    expect(staging.environment).toEqual('staging');
    expect(staging.benchmark).toEqual('2021');
    expect(staging.overall.deployment_frequency.deployments).toEqual(1);
  });

  it('explains a figure row by row', async () => {
    const cfr = await dora('report', ...march, '--explain', 'cfr', '--service', 'api');
    expect(cfr.code).toBe(0);
    expect(cfr.stdout).toContain('change_failure_rate: 1 failed of 3 production deployments');
    expect(cfr.stdout).toMatch(/api-3\s+failed\s+\w+\s+incident PD-7 \(rollback link: opened 20 min after it, and api-4 rolled it back\); rolled back by api-4 \(rollback_of from the source\)/);
    const lead = (await dora('report', ...march, '--explain', 'lead_time', '--format', 'json')).json();
    expect(lead.rows.map((row: { item: string; counted: string }) => [row.item, row.counted])).toEqual([
      ['pr:acme/api#12', 'yes'],
      [expect.stringMatching(/^commit:acme\/api@/), 'yes'],
      ['api-4', 'no'],
      ['web-1', 'no'],
      ['web-2', 'no'],
    ]);
    expect(lead.rows[4].reason).toEqual('its commit is not placed: no repository known for web: give the deployment a repo, or list repos for it in the service catalog');
    const frequency = (await dora('report', ...march, '--explain', 'deployment_frequency', '--service', 'web', '--format', 'json')).json();
    expect(frequency.rows.map((row: { item: string; reason: string }) => [row.item, row.reason])).toEqual([
      ['web-1', 'successful production deployment'],
      ['web-s', 'environment staging is not production (production, prod)'],
      ['web-2', 'successful production deployment'],
      ['web-x', 'failed attempt: it never went live (counted as a deploy failure)'],
    ]);
  });

  it('writes to a file with --out', async () => {
    const out = join(tmp.dir, 'report.html');
    const result = await dora('report', ...march, '--format', 'html', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toEqual('');
    expect(result.stderr).toContain(`wrote the html report to ${out}`);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it.each([
    [['--tz', 'Mars/Olympus'], '--tz: unknown time zone "Mars/Olympus"'],
    [['--since', 'yesterday'], '--since: expected an ISO date'],
    [['--explain', 'happiness'], '--explain: unknown metric "happiness"'],
    [['--team', 'nobody'], '--team: no service of team "nobody" in the service catalog'],
    [['--format', 'pdf'], "argument 'pdf' is invalid"],
  ])('rejects %j with exit code 2', async (args, message) => {
    const result = await dora('report', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('says so when the window holds nothing, and where to look', async () => {
    const result = await dora('report', '--since', '2025-03-01', '--until', '2025-03-08', '--format', 'json');
    expect(result.code).toBe(0);
    expect(result.json().overall.lead_time.median_seconds).toBeNull();
    expect(result.stderr).toContain('warning: no production deployment or incident in the window');
    expect(result.stderr).toContain('`dora doctor` shows what the store holds');
  });

  it('has help with examples', async () => {
    const result = await dora('report', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('--explain change_failure_rate --service api');
  });
});
