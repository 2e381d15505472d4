import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { deriveMetrics } from '../src/derive/run.js';
import { evaluateReleases, saveVerdicts, type ReleaseVerdict } from '../src/health/index.js';
import { openStore, type Store } from '../src/store/connect.js';
import { ago, commit, deploy, herokuRelease, incident, load, sha, type Raw } from './fakes/chat/releases.js';
import { runCli } from './helpers/cli.js';
import { queryRows, tempDir } from './helpers/store.js';

const tmp = tempDir();
const home = join(tmp.dir, 'store');
// Fixed, so every duration below is exact; the CLI at the end uses the real clock (its releases are minutes old).
const now = Date.parse('2026-06-10T12:00:00.000Z');
const config = Config.parse({});
let store: Store;

const events: Raw[] = [
  // shop (Heroku): v42 went out 100 min ago; an incident opened 20 min after it and is still open.
  herokuRelease('acme-shop', 'shop', 40, ago(now, 3 * 1440), { sha: sha('s40') }),
  herokuRelease('acme-shop', 'shop', 41, ago(now, 2 * 1440), { sha: sha('s41') }),
  herokuRelease('acme-shop', 'shop', 42, ago(now, 100), { sha: sha('s42') }),
  incident('PD-1', 'shop', ago(now, 80), { title: 'Checkout errors', severity: 'SEV1', url: 'https://acme.pagerduty.com/incidents/PD-1' }),

  // web: a line of commits; w3 (deployed 30 min ago) is reverted 20 min after it went out.
  commit('acme/web', 'w1', [], ago(now, 3 * 1440)),
  commit('acme/web', 'w2', ['w1'], ago(now, 2 * 1440)),
  commit('acme/web', 'w3', ['w2'], ago(now, 60), { author: 'grace', message: 'Faster cart totals\n\nbody' }),
  commit('acme/web', 'r1', ['w3'], ago(now, 10), { author: 'alan', message: `Revert "Faster cart totals"\n\nThis reverts commit ${sha('w3')}.` }),
  deploy('web-1', 'web', ago(now, 2 * 1440), { repo: 'acme/web', sha: sha('w1') }),
  deploy('web-2', 'web', ago(now, 1440), { repo: 'acme/web', sha: sha('w2'), version: '2.0.0' }),
  deploy('web-3', 'web', ago(now, 30), { repo: 'acme/web', sha: sha('w3'), version: '2.1.0' }),

  // api: the same commit fails to deploy 20 min after it went live (a post-deploy health check).
  deploy('api-1', 'api', ago(now, 1440), { sha: sha('a1') }),
  deploy('api-2', 'api', ago(now, 60), { sha: sha('a2') }),
  deploy('api-2-check', 'api', ago(now, 40), { sha: sha('a2').slice(0, 12), status: 'failure' }),
  // A failure of the same commit before it went live is a failed attempt, not a failed check.
  deploy('api-2-try', 'api', ago(now, 65), { sha: sha('a2'), status: 'failure' }),

  // billing: a CI step recorded its health check on the deployment itself.
  deploy('billing-1', 'billing', ago(now, 1440), { sha: sha('b1') }),
  deploy('billing-2', 'billing', ago(now, 20), { sha: sha('b2'), health_check: 'failed' }),

  // search: s2 failed (an incident names it), s3 gets an incident in its window: return to s1, not s2.
  deploy('search-1', 'search', ago(now, 3 * 1440), { sha: sha('q1') }),
  deploy('search-2', 'search', ago(now, 2 * 1440), { sha: sha('q2') }),
  incident('PD-2', 'search', ago(now, 2 * 1440 - 30), { deployment: 'search-2', resolved_at: ago(now, 2 * 1440 - 60) }),
  deploy('search-3', 'search', ago(now, 45), { sha: sha('q3') }),
  incident('PD-3', 'search', ago(now, 15), { deployment: 'search-3', title: 'Search down' }),

  // cart: c2 rolled back by c3 (the source says so); c3 has been live 20 min.
  herokuRelease('acme-cart', 'cart', 1, ago(now, 2 * 1440), { sha: sha('c1') }),
  herokuRelease('acme-cart', 'cart', 2, ago(now, 50), { sha: sha('c2') }),
  herokuRelease('acme-cart', 'cart', 3, ago(now, 20), { sha: sha('c1'), rollbackOf: 'heroku:acme-cart:v2' }),

  // mail: an incident 4 h after m2, inside derive's 24 h attribution window but after the 2 h observation window.
  deploy('mail-1', 'mail', ago(now, 2 * 1440), { sha: sha('m1') }),
  deploy('mail-2', 'mail', ago(now, 6 * 60), { sha: sha('m2') }),
  incident('PD-4', 'mail', ago(now, 2 * 60), { resolved_at: ago(now, 60) }),
];

let verdicts: Map<string, ReleaseVerdict>;

beforeAll(async () => {
  store = await openStore({ home });
  await load(store.client, events);
  await deriveMetrics(store.client, { config });
  const evaluation = await evaluateReleases(store.client, { config, since: now - 3 * 86_400_000 - 1, now });
  verdicts = new Map(evaluation.verdicts.map((item) => [item.release.id, item]));
});
afterAll(async () => {
  await store?.close();
  tmp.remove();
});

const judged = (id: string) => {
  const found = verdicts.get(id);
  if (!found) throw new Error(`no verdict for ${id}`);
  return found;
};

describe('release verdicts from the store', () => {
  it('an incident opened in the window makes a live Heroku release `rollback`, with the last good release and its command', () => {
    const v42 = judged('heroku:acme-shop:v42');
    expect(v42.verdict).toEqual('rollback');
    // Attributed by time (the latest release of shop, 20 min before it opened): derive's link confidence
    // 0.9 − 0.4 × 20 min / 24 h = 0.894; inside the 2 h window, so rollback with weight 0.95 × 0.894 = 0.849.
    expect(v42.signals.map((signal) => [signal.severity, signal.weight])).toEqual([['rollback', 0.849]]);
    expect(v42.confidence).toEqual(0.85);
    expect(v42.reasons[0]).toEqual('incident PD-1 "Checkout errors" (SEV1) opened 20 min after it, still open; this was the latest release of shop');
    expect(v42.state).toEqual('live');
    expect(v42.rollbackTarget).toEqual({
      id: 'heroku:acme-shop:v41',
      version: 'v41',
      sha: sha('s41'),
      finishedAt: ago(now, 2 * 1440),
      command: 'heroku releases:rollback v41 -a acme-shop',
      instruction: 'heroku releases:rollback v41 -a acme-shop',
    });
    expect(v42.incidentLinks).toEqual([{ id: 'PD-1', url: 'https://acme.pagerduty.com/incidents/PD-1' }]);
    // Its window: 100 of 120 minutes observed.
    expect(v42.window).toMatchObject({ complete: false, observedSeconds: 100 * 60, lengthSeconds: 120 * 60 });
  });

  it('an earlier release that saw nothing in a complete window is healthy (0.1 + 0.6 without telemetry)', () => {
    const v41 = judged('heroku:acme-shop:v41');
    expect(v41.verdict).toEqual('healthy');
    expect(v41.confidence).toEqual(0.7);
    expect(v41.reasons).toEqual(['no incident, rollback, revert or failed health check in its 2 h observation window']);
    expect(v41.state).toEqual('replaced');
    expect(v41.replacedBy).toEqual('heroku:acme-shop:v42');
    expect(v41.rollbackTarget).toBeNull();
  });

  it('a revert on the default branch of a commit it shipped, while it is live, is `rollback`; the target is the previous release and its commit', () => {
    const web3 = judged('web-3');
    expect(web3.verdict).toEqual('rollback');
    expect(web3.confidence).toEqual(0.7);
    expect(web3.reasons[0]).toEqual(`commit ${sha('w3').slice(0, 7)} it shipped was reverted by ${sha('r1').slice(0, 7)} (alan) 20 min after it, while it was live`);
    expect(web3.suspect).toEqual({ sha: sha('w3'), author: 'grace', title: 'Faster cart totals' });
    expect(web3.previousSha).toEqual(sha('w2'));
    expect(web3.rollbackTarget?.command).toEqual('');
    expect(web3.rollbackTarget?.instruction).toEqual(`deploy web-2 (2.0.0, ${sha('w2').slice(0, 12)}) again`);
  });

  it('a failed deployment of the same commit after it went live is a failed health check; one before it is not', () => {
    const api2 = judged('api-2');
    expect(api2.verdict).toEqual('rollback');
    expect(api2.signals).toEqual([
      { kind: 'health_check', severity: 'rollback', weight: 0.85, reason: 'a production deployment of the same commit, api-2-check, failed 20 min after it (a failed health check or release phase)' },
    ]);
    expect(api2.rollbackTarget?.id).toEqual('api-1');
  });

  it('health_check = failed recorded on the deployment is a failed health check', () => {
    const billing2 = judged('billing-2');
    expect(billing2.verdict).toEqual('rollback');
    expect(billing2.confidence).toEqual(0.9);
    expect(billing2.reasons[0]).toEqual('health check failed (health_check = failed)');
  });

  it('the rollback target skips a release that failed itself', () => {
    const search3 = judged('search-3');
    expect(search3.verdict).toEqual('rollback');
    // Named by the incident: link confidence 1, weight 0.95.
    expect(search3.confidence).toEqual(0.95);
    expect(search3.reasons[0]).toEqual('incident PD-3 "Search down" names this release; opened 30 min after it, still open');
    expect(search3.rollbackTarget?.id).toEqual('search-1');
    expect(judged('search-2').verdict).toEqual('rollback');
  });

  it('a release rolled back by the source is `rollback` and rolled back; the rollback itself is healthy so far', () => {
    const cart2 = judged('heroku:acme-cart:v2');
    expect(cart2.verdict).toEqual('rollback');
    expect(cart2.confidence).toEqual(0.99);
    expect(cart2.reasons).toEqual(['rolled back by heroku:acme-cart:v3']);
    expect(cart2.state).toEqual('rolled_back');
    const cart3 = judged('heroku:acme-cart:v3');
    expect(cart3.verdict).toEqual('healthy');
    // 20 of 120 minutes observed, no telemetry: 0.1 + (20/120) × 0.6 = 0.2.
    expect(cart3.confidence).toEqual(0.2);
    expect(cart3.reasons).toEqual(['no incident, rollback, revert or failed health check so far: 20 min of its 2 h observation window observed']);
  });

  it('an incident attributed after the observation window is `watch`', () => {
    const mail2 = judged('mail-2');
    expect(mail2.verdict).toEqual('watch');
    // Link confidence 0.9 − 0.4 × 4 h / 24 h = 0.833; after the window: 0.6 × 0.833 = 0.4998.
    expect(mail2.confidence).toEqual(0.5);
    expect(mail2.reasons[0]).toEqual('incident PD-4 opened 4 h after it, resolved after 1 h, outside the 2 h observation window; this was the latest release of mail');
  });

  it('stores one verdict per release, and storing again converges', async () => {
    const all = [...verdicts.values()];
    await saveVerdicts(store.client, 'production,prod', all);
    await saveVerdicts(store.client, 'production,prod', all);
    const rows = await queryRows<{ release_id: string; verdict: string; rollback_command: string; reasons: string[] }>(
      store.client,
      `SELECT release_id, verdict, rollback_command, reasons FROM release_verdicts FINAL WHERE release_id IN ('heroku:acme-shop:v42', 'heroku:acme-shop:v41') ORDER BY release_id`,
    );
    expect(rows).toEqual([
      { release_id: 'heroku:acme-shop:v41', verdict: 'healthy', rollback_command: '', reasons: judged('heroku:acme-shop:v41').reasons },
      { release_id: 'heroku:acme-shop:v42', verdict: 'rollback', rollback_command: 'heroku releases:rollback v41 -a acme-shop', reasons: judged('heroku:acme-shop:v42').reasons },
    ]);
    const [count] = await queryRows<{ n: number }>(store.client, 'SELECT count() AS n FROM release_verdicts FINAL');
    // shop 3, web 3, api 2, billing 2, search 3, cart 3, mail 2.
    expect(Number(count?.n)).toEqual(18);
  });
});

describe('dora releases', () => {
  beforeAll(async () => {
    // The CLI opens the same directory: one process, one engine, one holder at a time.
    await store.close();
    const live = Date.now();
    const fresh: Raw[] = [
      herokuRelease('acme-pay', 'pay', 7, ago(live, 2 * 1440), { sha: sha('p7') }),
      herokuRelease('acme-pay', 'pay', 8, ago(live, 30), { sha: sha('p8') }),
      incident('PD-9', 'pay', ago(live, 10), { deployment: 'heroku:acme-pay:v8', title: 'Payments failing' }),
    ];
    const writer = await openStore({ home });
    await load(writer.client, fresh);
    await writer.close();
  });

  it('prints recent releases with verdicts, and the reasons and command for flagged ones', async () => {
    const result = await runCli(['--home', home, 'releases', '--service', 'pay']);
    expect(result.code).toEqual(0);
    expect(result.stdout).toMatch(/^service\s+release\s+finished\s+verdict\s+confidence\s+state\s+why$/m);
    expect(result.stdout).toMatch(/^pay\s+v8\s+\S+ \S+ UTC\s+rollback\s+95 %\s+live, watching\s+incident PD-9 "Payments failing" names this release/m);
    expect(result.stdout).toContain('pay v8 (heroku:acme-pay:v8): rollback, confidence 95 %\n  - incident PD-9 "Payments failing" names this release; opened 20 min after it, still open');
    expect(result.stdout).toContain('  roll back with: heroku releases:rollback v7 -a acme-pay');
    expect(result.stdout).toContain('telemetry: none (no table otel.otel_traces)');
    // v7 finished two days ago: inside the default 7 days, healthy.
    expect(result.stdout).toMatch(/^pay\s+v7\s+.*healthy\s+70 %\s+replaced/m);
  });

  it('--flagged --format json gives only flagged releases, in a stable shape', async () => {
    const result = await runCli(['--home', home, 'releases', '--service', 'pay', '--flagged', '--format', 'json']);
    expect(result.code).toEqual(0);
    const output = result.json();
    expect(Object.keys(output)).toEqual(['since', 'evaluated_at', 'environment', 'telemetry', 'releases']);
    expect(output.telemetry).toEqual({ table: null, absent: 'no table otel.otel_traces' });
    expect(output.releases.map((item: { id: string }) => item.id)).toEqual(['heroku:acme-pay:v8']);
    const [v8] = output.releases;
    expect(Object.keys(v8)).toEqual([
      'id', 'service', 'environment', 'version', 'sha', 'finished_at', 'url', 'verdict', 'confidence', 'reasons', 'signals',
      'state', 'replaced_by', 'rolled_back_by', 'window', 'rollback_to', 'suspect', 'telemetry',
    ]);
    expect(v8).toMatchObject({ verdict: 'rollback', confidence: 0.95, state: 'live', version: 'v8', sha: sha('p8') });
    expect(v8.rollback_to).toMatchObject({ id: 'heroku:acme-pay:v7', version: 'v7', command: 'heroku releases:rollback v7 -a acme-pay' });
  });

  it('--since narrows the releases; a bad --since is a usage error naming the flag', async () => {
    const narrow = await runCli(['--home', home, 'releases', '--service', 'pay', '--since', '1h', '--format', 'json']);
    expect(narrow.json().releases.map((item: { version: string }) => item.version)).toEqual(['v8']);
    const bad = await runCli(['--home', home, 'releases', '--since', 'yesterday-ish']);
    expect(bad.code).toEqual(2);
    expect(bad.stderr).toContain('--since: expected');
  });

  it('has help with examples', async () => {
    const help = await runCli(['releases', '--help']);
    expect(help.code).toEqual(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('dora releases --service api --flagged');
  });
});
