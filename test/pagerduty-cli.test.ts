import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakePagerDuty, type FakePagerDuty } from './fakes/pagerduty/server.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/** `dora collect pagerduty|opsgenie`, `dora link`, `dora unlink` through the real program: help, flags, exit codes. */

const TOKEN = 'pd-cli-token-9c1e77';
const tmp = tempDir();
const home = join(tmp.dir, 'store');
const dora = (...args: string[]) => runCli(['--home', home, ...args]);
const saved = { token: process.env.PAGERDUTY_TOKEN, url: process.env.PAGERDUTY_API_URL };
let fake: FakePagerDuty;

beforeAll(async () => {
  fake = await startFakePagerDuty({
    token: TOKEN,
    incidents: [
      { id: 'QA', number: 1, title: 'api 5xx', service: { id: 'PAPI001', name: 'api' }, created_at: '2026-03-01T10:00:00Z', status: 'resolved', resolved_at: '2026-03-01T10:30:00Z', urgency: 'high' },
      { id: 'QB', number: 2, title: 'api disk', service: { id: 'PAPI001', name: 'api' }, created_at: '2026-03-01T11:00:00Z', status: 'resolved', resolved_at: '2026-03-01T11:30:00Z', urgency: 'low' },
    ],
  });
  process.env.PAGERDUTY_API_URL = fake.url;
});
beforeEach(() => {
  process.env.PAGERDUTY_TOKEN = TOKEN;
  fake.requests.length = 0;
});
afterAll(async () => {
  await fake.close();
  tmp.remove();
  for (const [name, value] of [['PAGERDUTY_TOKEN', saved.token], ['PAGERDUTY_API_URL', saved.url]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('dora collect pagerduty / opsgenie', () => {
  it('document their flags, each with its config twin, and examples', async () => {
    const pagerduty = await dora('collect', 'pagerduty', '--help');
    expect(pagerduty.code).toEqual(0);
    // commander wraps help lines: compare with runs of spaces folded.
    const flat = (text: string) => text.replace(/\s+/g, ' ');
    for (const text of ['--urgency <level...>', '(config: sources.pagerduty.urgencies)', '--priority <name...>', '--service <id...>', '--team <id...>', '--since <date|90d>', '$ PAGERDUTY_TOKEN=... dora collect pagerduty --urgency high']) {
      expect(flat(pagerduty.stdout)).toContain(text);
    }
    const opsgenie = await dora('collect', 'opsgenie', '--help');
    for (const text of ['--kind <alerts|incidents>', '(config: sources.opsgenie.kind)', '--query <search>', '$ OPSGENIE_API_KEY=... dora collect opsgenie --priority P1 P2 P3 P4']) {
      expect(flat(opsgenie.stdout)).toContain(text);
    }
  });

  it('a one-off run needs no config file: flags set the section', async () => {
    const result = await dora('collect', 'pagerduty', '--urgency', 'high', '--since', '2026-02-25');
    expect(result.stderr).toEqual('collected from pagerduty: 2 incident\n');
    expect(result.code).toEqual(0);
    const doctor = (await dora('doctor', '--format', 'json')).json();
    expect(doctor.incident_sources.ignored).toEqual([{ source: 'pagerduty', reason: 'urgency low is not in sources.pagerduty.urgencies (high)', incidents: 1 }]);
    // No catalog at all: every service is named by its source, and listed as such.
    expect(doctor.incident_sources.unmapped).toEqual([{ source: 'pagerduty', service: 'api', source_service: 'PAPI001 api', incidents: 2 }]);
  });

  it('a bad flag value names the field and what was expected (exit 2), before any request', async () => {
    const result = await dora('collect', 'pagerduty', '--since', 'yesterday');
    expect(result.code).toEqual(2);
    expect(result.stderr).toContain('sources.pagerduty.since: expected a date (2026-01-01), an ISO time with a zone, or a number of days back (90d)');
    expect(fake.requests).toEqual([]);
  });

  it('without a token: exit 5 and the variable to set; a refused token is never printed', async () => {
    delete process.env.PAGERDUTY_TOKEN;
    const missing = await dora('collect', 'pagerduty');
    expect(missing.code).toEqual(5);
    expect(missing.stderr).toEqual(
      'error: PAGERDUTY_TOKEN is not set: the PagerDuty collector needs a REST API key\n' +
        '  hint: create a read-only API key (Integrations > API Access Keys) and export PAGERDUTY_TOKEN=<key>\n',
    );
    process.env.PAGERDUTY_TOKEN = 'revoked-pd-token-5555';
    const refused = await dora('collect', 'pagerduty');
    expect(refused.code).toEqual(5);
    expect(refused.stderr).toContain('error: PagerDuty refused the token in PAGERDUTY_TOKEN (401 Invalid Token; Invalid Token)');
    expect(refused.stderr + refused.stdout).not.toContain('revoked-pd-token-5555');
  });
});

describe('dora link / unlink', () => {
  it('document themselves with examples', async () => {
    const link = await dora('link', '--help');
    expect(link.stdout).toContain('$ dora link pagerduty:Q1ABC heroku:shop-prod:v42 --note "bad migration in v42"');
    expect(link.stdout).toContain('$ dora unlink pagerduty:Q1ABC --reset      back to automatic linking');
    const unlink = await dora('unlink', '--help');
    expect(unlink.stdout).toContain('--reset');
    expect(unlink.stdout).toContain('$ dora unlink pagerduty:Q1ABC --note "upstream provider outage"');
  });

  it('link without both ids is a usage error; --list with nothing decided says so', async () => {
    const half = await dora('link', 'pagerduty:QA');
    expect(half.code).toEqual(2);
    expect(half.stderr).toContain('name the incident and the deployment: dora link INCIDENT DEPLOYMENT (or --list)');
    const list = await dora('link', '--list');
    expect(list.code).toEqual(0);
    expect(list.stderr).toEqual('no manual links: every incident is linked automatically\n');
  });

  it('records a decision and lists it', async () => {
    expect((await dora('record', 'deployment', '--service', 'api', '--id', 'api-7', '--finished-at', '2026-03-01T09:00:00Z')).code).toEqual(0);
    const linked = await dora('link', 'pagerduty:QA', 'api-7', '--note', 'bad config', '--format', 'json');
    expect(linked.code).toEqual(0);
    expect(linked.json()).toMatchObject({ incident: 'pagerduty:QA', action: 'link', deployment: 'api-7', note: 'bad config' });
    const list = await dora('link', '--list');
    expect(list.stdout).toMatch(/^incident\s+decision\s+deployment\s+at\s+by\s+note\npagerduty:QA\s+link\s+api-7\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+\S*\s+bad config\n$/);
    // QB was left out by the severity filter, and a staging deployment cannot fail production: both said, both kept.
    expect((await dora('record', 'deployment', '--service', 'api', '--env', 'staging', '--id', 'api-s1', '--finished-at', '2026-03-01T09:00:00Z')).code).toEqual(0);
    const doubtful = await dora('link', 'pagerduty:QB', 'api-s1');
    expect(doubtful.code).toEqual(0);
    expect(doubtful.stderr).toEqual(
      'warning: incident pagerduty:QB is left out by a severity filter (urgency low is not in sources.pagerduty.urgencies (high)): the link counts once the filter keeps it\n' +
        'warning: deployment api-s1 is not a successful production deployment (status success, environment staging): it cannot count as failed\n' +
        'linked incident pagerduty:QB to deployment api-s1\n',
    );
    const unlinked = await dora('unlink', 'pagerduty:QA', '--format', 'json');
    // The row keeps the deployment whose link it replaced, so that service is derived again.
    expect(unlinked.json()).toMatchObject({ incident: 'pagerduty:QA', action: 'unlink', deployment: 'api-7' });
  });
});
