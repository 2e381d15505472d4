import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../src/demo/generate.js';
import { WINDOW_END, WINDOW_START } from '../src/demo/organisation.js';
import type { CanonicalEvent, DeploymentEvent, IncidentEvent } from '../src/events/schemas.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/** `dora demo`: a seeded sample organisation in its own store, its report on stdout and in HTML. */

const tmp = tempDir('dora-demo-');
afterAll(() => tmp.remove());
const home = join(tmp.dir, 'demo');

const inWindow = (iso: string) => Date.parse(iso) >= WINDOW_START && Date.parse(iso) < WINDOW_END;
const deployments = (events: CanonicalEvent[]) => events.filter((event): event is DeploymentEvent => event.kind === 'deployment');
const incidents = (events: CanonicalEvent[]) => events.filter((event): event is IncidentEvent => event.kind === 'incident');
/** The figures that do not depend on when the report was made. */
const figures = (report: Record<string, unknown>) => ({ ...report, generated_at: undefined });

describe('dora demo', () => {
  let first: Record<string, any>;

  it('builds the organisation, prints its report and writes the HTML report', async () => {
    const result = await runCli(['demo', '--seed', '3', '--home', home, '--format', 'json']);
    expect(result.code).toBe(0);
    first = result.json();
    const events = generateDemo(3);
    expect(result.stderr).toContain(`stored ${events.filter((event) => event.kind === 'commit').length} commits, `);
    expect(result.stderr).toContain(`HTML report: ${join(home, 'report.html')}`);
    expect(readFileSync(join(home, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect(first.window).toEqual({ since: '2026-01-05T00:00:00.000Z', until: '2026-03-30T00:00:00.000Z', days: 84 });
    expect(Object.keys(first.services).sort()).toEqual(['accounts', 'catalog', 'checkout', 'search']);
    expect(Object.keys(first.teams).sort()).toEqual(['discovery', 'identity', 'payments']);

    // Counted straight from the generated events: production deployments that went live in the window,
    // failed attempts in it, incidents opened in it and those still open.
    const live = deployments(events).filter((event) => event.status === 'success' && inWindow(event.finished_at));
    const failedAttempts = deployments(events).filter((event) => event.status === 'failure' && inWindow(event.finished_at));
    const opened = incidents(events).filter((event) => inWindow(event.opened_at));
    const overall = first.overall;
    expect(overall.deployment_frequency.deployments).toEqual(live.length);
    expect(overall.deployment_frequency.deploy_failures).toEqual(failedAttempts.length);
    expect(overall.time_to_restore.incidents).toEqual(opened.length);
    expect(overall.time_to_restore.open).toEqual(opened.filter((event) => !event.resolved_at).length);
    expect(overall.time_to_restore.open).toEqual(1);
    // Rework, worked out from the events: a deployment is a rollback when it says so (Heroku) or when it
    // deploys again the commit of an earlier deployment of its service (the generator only ever goes back to
    // the previous release, a strict ancestor of the one rolled back); or it finished while an incident
    // of its service was open.
    const rollbacks = live.filter((event) => event.rollback_of || deployments(events).some((earlier) =>
      earlier.status === 'success' && earlier.service === event.service && earlier.sha === event.sha && earlier.finished_at < event.finished_at));
    const duringIncident = (event: DeploymentEvent) => incidents(events).some((incident) => incident.service === event.service &&
      incident.opened_at <= event.finished_at && (!incident.resolved_at || event.finished_at < incident.resolved_at));
    const rework = live.filter((event) => rollbacks.includes(event) || duringIncident(event));
    expect(rollbacks.filter((event) => event.rollback_of).length).toBeGreaterThan(0);
    expect(rollbacks.filter((event) => !event.rollback_of).length).toBeGreaterThan(0);
    expect(overall.rework_rate).toEqual({ deployments: live.length, rework: rework.length, rate: rework.length / live.length });
    // The organisation has what the demo promises: squash and merge-commit PRs, failures of each kind.
    const pulls = events.filter((event) => event.kind === 'pull_request');
    expect(pulls.some((pull) => pull.labels.includes('squash'))).toBe(true);
    expect(events.some((event) => event.kind === 'commit' && event.parents.length === 2)).toBe(true);
    expect(events.some((event) => event.kind === 'commit' && event.message?.includes('This reverts commit'))).toBe(true);
    expect(overall.change_failure_rate.failed).toBeGreaterThan(0);
  });

  it('gives the same figures for the same seed, and rebuilds its store each run', async () => {
    const again = await runCli(['demo', '--seed', '3', '--home', home, '--format', 'json']);
    expect(again.code).toBe(0);
    expect(figures(again.json())).toEqual(figures(first));
    const other = await runCli(['demo', '--seed', '4', '--home', home, '--format', 'json']);
    // Another organisation, not seed 3's data with seed 4's added on top.
    const otherLive = deployments(generateDemo(4)).filter((event) => event.status === 'success' && inWindow(event.finished_at)).length;
    expect(other.json().overall.deployment_frequency.deployments).toEqual(otherLive);
    expect(otherLive).not.toEqual(first.overall.deployment_frequency.deployments);
  });

  it('prints the table by default and says how to explore the demo store', async () => {
    const out = join(tmp.dir, 'demo.html');
    const result = await runCli(['demo', '--home', home, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DORA report 2026-01-05');
    expect(result.stdout).toContain('service checkout');
    expect(existsSync(out)).toBe(true);
    expect(result.stderr).toMatch(/explore it: dora --home \S+ report --since 2026-01-05 --until 2026-03-30/);
  });

  it('never writes into a directory it did not make', async () => {
    const mine = join(tmp.dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    const result = await runCli(['demo', '--home', mine]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${mine} already exists and was not made by dora demo`);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('rejects a bad seed and shows examples in --help', async () => {
    const bad = await runCli(['demo', '--seed', 'abc', '--home', home]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('seed');
    const help = await runCli(['demo', '--help']);
    expect(help.stdout).toContain('$ dora demo --seed 7 --out /tmp/dora-demo.html');
  });
});
