import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { buildReport, renderReport, type Report } from '../src/reports/index.js';
import { load } from './fixtures/report/events.js';
import { history } from './fixtures/report/history.js';
import { tempStore } from './helpers/store.js';

// The HTML report opened by a real browser: headless Debian Chromium (installed by
// scripts/ensure-chromium.sh, which `npm test` runs first), with every network lookup
// failing, so anything not inline would be missing.
const browser = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (candidate) => candidate && existsSync(candidate),
);

let store: Awaited<ReturnType<typeof tempStore>>;
let report: Report;
let page: string;
let outDir: string;

function chromium(...args: string[]): { stdout: string; stderr: string } {
  if (!browser) throw new Error('no Chromium: run scripts/ensure-chromium.sh (or set CHROMIUM_PATH)');
  const profile = mkdtempSync(join(outDir, 'profile-'));
  const result = spawnSync(
    browser,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      '--enable-logging=stderr',
      '--v=0',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`chromium exited ${result.status}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  store = await tempStore();
  outDir = store.dir;
  await load(store.client, history('api'));
  await load(store.client, history('web'));
  const config = Config.parse({ services: { api: { team: 'core' }, web: { team: 'storefront' } } });
  report = await buildReport(store.client, { since: new Date('2026-01-05T00:00:00Z'), until: new Date('2026-04-06T00:00:00Z'), config });
  page = join(outDir, 'report.html');
  writeFileSync(page, renderReport(report, 'html'));
});
afterAll(async () => store?.dispose());

describe('HTML report', () => {
  it('is one self-contained file: no script, no external resource', () => {
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    // The only URLs are SVG namespaces.
    expect(html.match(/https?:\/\/[^"'\s<]+/g)?.filter((url) => url !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
  });

  it('renders in headless Chromium with the figures, six charts and no errors', () => {
    const { stdout, stderr } = chromium('--dump-dom', `file://${page}`);
    // Two services with the same generated history: 25 Monday/Thursday slots from 5 January to 30 March,
    // the source's rollback of 5 Feb, the inferred one of 12 March and the hotfix of 28 Feb: 28 each.
    const overall = report.overall;
    expect(overall.deployment_frequency.deployments).toEqual(2 * (25 + 2 + 1));
    expect(stdout).toContain('DORA metrics');
    expect(stdout).toContain(`${overall.change_failure_rate.failed}/${overall.change_failure_rate.deployments})`);
    expect(stdout).toContain('Production deployments per week');
    expect(stdout).toContain('Lead time for changes per week');
    expect(stdout).toContain('Change failure rate per week');
    expect(stdout).toContain('Failed deployment recovery per week');
    expect(stdout).toContain('Time to restore per week');
    expect(stdout).toContain('Lead-time breakdown of pull requests');
    expect(stdout.match(/<svg /g)).toHaveLength(6);
    expect(stdout).toContain('<th scope="row">api</th>');
    expect(stdout).toContain('<th scope="row">storefront</th>');
    expect(stderr).not.toMatch(/Uncaught|ERR_NAME_NOT_RESOLVED|Failed to load resource/);
  });

  it('takes a screenshot (look at it: test output directory, report.png)', () => {
    const png = join(outDir, 'report.png');
    chromium('--hide-scrollbars', '--window-size=1400,2200', `--screenshot=${png}`, `file://${page}`);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toEqual('PNG');
    // A blank page compresses to a few kB; charts and text do not.
    expect(bytes.length).toBeGreaterThan(50_000);
    if (process.env.DORA_KEEP_SCREENSHOT) execFileSync('cp', [png, process.env.DORA_KEEP_SCREENSHOT]);
  });
});
