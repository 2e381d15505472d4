import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackMessage } from '../src/alerts/slack/block-kit.js';
import { openStore } from '../src/store/connect.js';
import { startFakeChat, type FakeChat, type Received } from './fakes/chat/server.js';
import { ago, herokuRelease, incident, load, sha, toNdjson, type Raw } from './fakes/chat/releases.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { queryRows, tempDir } from './helpers/store.js';

const tmp = tempDir();
const home = join(tmp.dir, 'store');
const now = Date.now();
let chat: FakeChat;
const secret = 'hmac-secret-for-tests';
const dora = (...args: string[]) => runCli(['--home', home, ...args]);
const outputs: CliResult[] = [];
const check = async (...args: string[]) => {
  const result = await dora('check', ...args);
  outputs.push(result);
  return result;
};
const headerOf = (message: Received) => (message.body as SlackMessage).blocks[0]?.type === 'header' ? ((message.body as { blocks: { text: { text: string } }[] }).blocks[0]?.text.text ?? '') : '';

const events: Raw[] = [
  // shop: v42 went out 50 min ago; an incident opened 20 min after it.
  herokuRelease('acme-shop', 'shop', 41, ago(now, 2 * 1440), { sha: sha('s41') }),
  herokuRelease('acme-shop', 'shop', 42, ago(now, 50), { sha: sha('s42') }),
  incident('PD-1', 'shop', ago(now, 30), { title: 'Checkout errors', severity: 'SEV1', url: 'https://acme.pagerduty.com/incidents/PD-1' }),
  // cart: v2 was rolled back 15 min ago, before any alert: a silent rollback is news once, with no resolution after.
  herokuRelease('acme-cart', 'cart', 1, ago(now, 2 * 1440), { sha: sha('c1') }),
  herokuRelease('acme-cart', 'cart', 2, ago(now, 40), { sha: sha('c2') }),
  herokuRelease('acme-cart', 'cart', 3, ago(now, 15), { sha: sha('c1'), rollbackOf: 'heroku:acme-cart:v2' }),
];

beforeAll(async () => {
  chat = await startFakeChat();
  process.env.SLACK_WEBHOOK_URL = chat.slackUrl;
  process.env.TEAMS_WEBHOOK_URL = chat.teamsUrl;
  process.env.DORA_WEBHOOK_URL = chat.webhookUrl;
  process.env.DORA_WEBHOOK_SECRET = secret;
  writeFileSync(join(tmp.dir, 'events.ndjson'), toNdjson(events));
  expect((await dora('import', join(tmp.dir, 'events.ndjson'))).code).toEqual(0);
});
afterAll(async () => {
  await chat?.close();
  tmp.remove();
});

describe('dora check', () => {
  it('--dry-run judges and lists what it would send, and sends and stores nothing', async () => {
    const result = await check('--dry-run', '--format', 'json');
    expect(result.code).toEqual(0);
    const output = result.json();
    expect(output.dry_run).toBe(true);
    expect(output.alerts.sent.map((item: { channel: string; headline: string }) => `${item.channel} ${item.headline}`).sort()).toEqual([
      'slack Rollback recommended: shop v42',
      'slack Rolled back: cart v2',
      'teams Rollback recommended: shop v42',
      'teams Rolled back: cart v2',
      'webhook Rollback recommended: shop v42',
      'webhook Rolled back: cart v2',
    ]);
    expect(chat.requests).toEqual([]);
    const store = await openStore({ home });
    try {
      expect(await queryRows(store.client, 'SELECT * FROM alert_deliveries')).toEqual([]);
      expect(await queryRows(store.client, 'SELECT * FROM release_verdicts')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('flags the release with an incident and sends one message per channel, even when run three times', async () => {
    const first = await check();
    expect(first.code).toEqual(0);
    expect(first.stdout).toContain('checked 3 releases of 2 services: 2 rollback, 0 watch, 1 healthy');
    expect(first.stdout).toContain('shop v42 (heroku:acme-shop:v42): rollback, confidence 85 %');
    expect(first.stdout).toContain('  roll back with: heroku releases:rollback v41 -a acme-shop');
    expect(first.stdout).toContain('alerts: 6 sent, 0 failed, 0 deferred (channels: slack, teams, webhook)');
    expect(first.stderr).toContain('rollback recommended: shop v42');

    const second = await check();
    const third = await check();
    for (const again of [second, third]) {
      expect(again.code).toEqual(0);
      expect(again.stdout).toContain('alerts: 0 sent, 0 failed, 0 deferred');
    }
    const slack = chat.messages('slack');
    expect(slack.map(headerOf)).toEqual(['Rollback recommended: shop v42', 'Rolled back: cart v2']);
    expect(chat.messages('teams')).toHaveLength(2);
    expect(chat.messages('webhook')).toHaveLength(2);
    expect(chat.requests.every((request) => request.status >= 200 && request.status < 300)).toBe(true);
    expect(chat.unexpected).toEqual([]);
  });

  it('the Slack message is valid Block Kit with release, service, reasons, links and the rollback command', () => {
    const [message] = chat.messages('slack');
    const parsed = SlackMessage.safeParse(message?.body);
    expect(parsed.success).toBe(true);
    const body = message?.body as { text: string; blocks: Record<string, any>[] };
    expect(body.text).toEqual('Rollback recommended: shop v42 in production: incident PD-1 "Checkout errors" (SEV1) opened 20 min after it, still open; this was the latest release of shop');
    expect(body.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'section', 'context', 'actions']);
    // The commit itself is not in the store (no git history collected): its short SHA, without author.
    expect(body.blocks[1]?.text.text).toMatch(new RegExp(`^\\*Release\\* \`v42\` of \\*shop\\* in \\*production\\*, finished \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC\n\\*Commit\\* \`${sha('s42').slice(0, 7)}\`$`));
    expect(body.blocks[2]?.text.text).toEqual('*Why*\n• incident PD-1 "Checkout errors" (SEV1) opened 20 min after it, still open; this was the latest release of shop');
    expect(body.blocks[3]?.fields.map((field: { text: string }) => field.text)).toEqual([
      '*Verdict*\nrollback (confidence 85 %)',
      '*Roll back with*\n`heroku releases:rollback v41 -a acme-shop`',
      '*Last good release*\nheroku:acme-shop:v41 (v41, ' + sha('s41').slice(0, 7) + ')',
    ]);
    expect(body.blocks[5]?.elements.map((button: { text: { text: string }; url: string }) => [button.text.text, button.url])).toEqual([
      ['Release', 'https://dashboard.heroku.com/apps/acme-shop/activity'],
      ['Incident PD-1', 'https://acme.pagerduty.com/incidents/PD-1'],
    ]);
  });

  it('the Teams message is an Adaptive Card; the webhook is signed and carries the verdict', () => {
    const [teams] = chat.messages('teams');
    const card = (teams?.body as any).attachments[0].content;
    expect(card.body[0]).toEqual({ type: 'TextBlock', size: 'Large', weight: 'Bolder', text: 'Rollback recommended: shop v42', wrap: true });
    expect(card.body[1].facts).toContainEqual({ title: 'Roll back with', value: 'heroku releases:rollback v41 -a acme-shop' });

    const [hook] = chat.messages('webhook');
    const timestamp = String(hook?.headers['x-dora-timestamp']);
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${hook?.raw}`).digest('hex')}`;
    expect(hook?.headers['x-dora-signature']).toEqual(expected);
    expect(hook?.headers['x-dora-event']).toEqual('deployment.flagged');
    expect(String(hook?.headers['x-dora-delivery'])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(hook?.body).toMatchObject({
      event: 'deployment.flagged',
      service: 'shop',
      verdict: 'rollback',
      confidence: 0.85,
      state: 'live',
      release: { id: 'heroku:acme-shop:v42', version: 'v42', sha: sha('s42') },
      rollback: { id: 'heroku:acme-shop:v41', command: 'heroku releases:rollback v41 -a acme-shop' },
    });
  });

  it('--fail-on rollback exits 1 while a flagged release is live', async () => {
    const gated = await check('--fail-on', 'rollback', '--service', 'shop');
    expect(gated.code).toEqual(1);
    const other = await check('--fail-on', 'rollback', '--service', 'cart');
    // cart v2 was already rolled back: nothing live to gate on.
    expect(other.code).toEqual(0);
  });

  it('a release later rolled back sends one resolution per channel, once', async () => {
    chat.reset();
    writeFileSync(join(tmp.dir, 'rollback.ndjson'), toNdjson([herokuRelease('acme-shop', 'shop', 43, new Date().toISOString(), { sha: sha('s41'), rollbackOf: 'heroku:acme-shop:v42' })]));
    expect((await dora('import', join(tmp.dir, 'rollback.ndjson'))).code).toEqual(0);
    const resolved = await check();
    expect(resolved.code).toEqual(0);
    expect(resolved.stdout).toContain('alerts: 3 sent');
    const again = await check();
    expect(again.stdout).toContain('alerts: 0 sent');
    const slack = chat.messages('slack');
    expect(slack.map(headerOf)).toEqual(['Resolved: shop v42 was rolled back']);
    expect((slack[0]?.body as { blocks: { text?: { text: string } }[] }).blocks[2]?.text?.text).toEqual('*Resolution* rolled back by heroku:acme-shop:v43');
    expect(chat.messages('teams')).toHaveLength(1);
    expect((chat.messages('webhook')[0]?.body as { event: string; resolution: string }).event).toEqual('deployment.resolved');
    expect((chat.messages('webhook')[0]?.body as { resolution: string }).resolution).toEqual('rolled back by heroku:acme-shop:v43');
  });

  it('records each delivery and verdict in the store', async () => {
    const store = await openStore({ home });
    try {
      const rows = await queryRows<{ key: string; channel: string; kind: string; state: string; status: string }>(
        store.client,
        'SELECT key, channel, kind, state, status FROM alert_deliveries FINAL ORDER BY key, channel',
      );
      expect(rows.map((row) => `${row.key} ${row.channel} ${row.kind} ${row.state} ${row.status}`)).toEqual([
        'heroku:acme-cart:v2|rollback slack flag rolled_back sent',
        'heroku:acme-cart:v2|rollback teams flag rolled_back sent',
        'heroku:acme-cart:v2|rollback webhook flag rolled_back sent',
        'heroku:acme-shop:v42|resolved slack resolution rolled_back sent',
        'heroku:acme-shop:v42|resolved teams resolution rolled_back sent',
        'heroku:acme-shop:v42|resolved webhook resolution rolled_back sent',
        'heroku:acme-shop:v42|rollback slack flag live sent',
        'heroku:acme-shop:v42|rollback teams flag live sent',
        'heroku:acme-shop:v42|rollback webhook flag live sent',
      ]);
      const [verdict] = await queryRows<{ verdict: string; state: string; rollback_to: string }>(
        store.client,
        "SELECT verdict, state, rollback_to FROM release_verdicts FINAL WHERE release_id = 'heroku:acme-shop:v42'",
      );
      expect(verdict).toEqual({ verdict: 'rollback', state: 'rolled_back', rollback_to: 'heroku:acme-shop:v41' });
    } finally {
      await store.close();
    }
  });

  it('never prints a webhook URL or secret', () => {
    for (const output of outputs) {
      for (const secretPart of ['secretTokenXYZ', 'teamsSecretSig', 'secret-hook-path', secret]) {
        expect(output.stdout).not.toContain(secretPart);
        expect(output.stderr).not.toContain(secretPart);
      }
    }
  });

  it('a second flagged release of the same service waits for the cooldown', async () => {
    chat.reset();
    const store = await openStore({ home });
    await load(store.client, [herokuRelease('acme-shop', 'shop', 44, new Date().toISOString(), { sha: sha('s44'), health_check: 'failed' })]);
    await store.close();
    const result = await check('--format', 'json');
    expect(result.code).toEqual(0);
    const output = result.json();
    expect(output.alerts.sent).toEqual([]);
    // shop v42 was alerted minutes ago: v44 waits until 30 min after that, on every channel.
    expect(output.alerts.deferred.map((item: { release: string; channel: string }) => `${item.release} ${item.channel}`)).toEqual([
      'heroku:acme-shop:v44 slack',
      'heroku:acme-shop:v44 teams',
      'heroku:acme-shop:v44 webhook',
    ]);
    expect(output.alerts.deferred[0].reason).toMatch(/^cooldown: shop was alerted at \d{2}:\d{2} UTC; next alert from \d{2}:\d{2} UTC$/);
    expect(chat.requests).toEqual([]);
  });

  it('a Slack 429 with Retry-After is waited for and retried', async () => {
    chat.reset();
    chat.script('slack', { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    const store = await openStore({ home });
    await load(store.client, [
      herokuRelease('acme-pay', 'pay', 1, ago(Date.now(), 2 * 1440), { sha: sha('p1') }),
      herokuRelease('acme-pay', 'pay', 2, new Date().toISOString(), { sha: sha('p2'), health_check: 'failed' }),
    ]);
    await store.close();
    const result = await check('--service', 'pay', '--format', 'json');
    expect(result.code).toEqual(0);
    const sent = result.json().alerts.sent.find((item: { channel: string }) => item.channel === 'slack');
    expect(sent).toMatchObject({ headline: 'Rollback recommended: pay v2', attempts: 2, waits: [1000] });
    expect(chat.requests.filter((request) => request.channel === 'slack').map((request) => request.status)).toEqual([429, 200]);
  });
});

describe('dora check with a misconfigured channel', () => {
  it('reports it, still judges and sends to the other channels, and exits 2', async () => {
    const configPath = join(tmp.dir, 'teams-missing.config.json');
    writeFileSync(configPath, JSON.stringify({ alerts: { teams: { webhookUrlEnv: 'MISSING_TEAMS_URL' } } }));
    const result = await runCli(['--home', home, '--config', configPath, 'check']);
    outputs.push(result);
    expect(result.code).toEqual(2);
    expect(result.stdout).toContain('(channels: slack, webhook)');
    expect(result.stdout).toContain('  problem  teams: MISSING_TEAMS_URL is not set (alerts.teams names it)');
    expect(result.stderr).toContain('warning: alert channel not usable (channel=teams, problem=MISSING_TEAMS_URL is not set (alerts.teams names it))');
  });
});

describe('dora alert test', () => {
  it('sends a sample to each configured channel', async () => {
    chat.reset();
    const result = await dora('alert', 'test');
    expect(result.code).toEqual(0);
    expect(result.stdout).toEqual('slack: sent (HTTP 200 after 1 attempt(s))\nteams: sent (HTTP 202 after 1 attempt(s))\nwebhook: sent (HTTP 200 after 1 attempt(s))\n');
    expect(chat.messages('slack').map(headerOf)).toEqual(['dora-agent test message']);
    expect((chat.messages('webhook')[0]?.body as { event: string }).event).toEqual('alert.test');
  });

  it('says which channel failed, exits 5, and never prints the URL', async () => {
    chat.reset();
    chat.script('slack', { status: 404, body: 'channel_not_found' });
    const result = await dora('alert', 'test', '--channel', 'slack');
    expect(result.code).toEqual(5);
    expect(result.stdout).toEqual('slack: failed (slack: HTTP 404 channel_not_found)\n');
    expect(result.stdout + result.stderr).not.toContain('secretTokenXYZ');
  });

  it('a configured channel without its variable is a problem (exit 2); nothing configured says how to', async () => {
    const configPath = join(tmp.dir, 'dora.config.json');
    writeFileSync(configPath, JSON.stringify({ alerts: { slack: { webhookUrlEnv: 'OPS_SLACK_URL' } } }));
    const missing = await runCli(['--config', configPath, 'alert', 'test', '--channel', 'slack']);
    expect(missing.code).toEqual(2);
    expect(missing.stdout).toEqual('slack: not usable (OPS_SLACK_URL is not set (alerts.slack names it))\n');
    const saved = { slack: process.env.SLACK_WEBHOOK_URL, teams: process.env.TEAMS_WEBHOOK_URL, hook: process.env.DORA_WEBHOOK_URL };
    delete process.env.SLACK_WEBHOOK_URL;
    delete process.env.TEAMS_WEBHOOK_URL;
    delete process.env.DORA_WEBHOOK_URL;
    try {
      const none = await dora('alert', 'test');
      expect(none.code).toEqual(2);
      expect(none.stderr).toContain('no alert channel configured: set SLACK_WEBHOOK_URL, TEAMS_WEBHOOK_URL or DORA_WEBHOOK_URL');
    } finally {
      process.env.SLACK_WEBHOOK_URL = saved.slack;
      process.env.TEAMS_WEBHOOK_URL = saved.teams;
      process.env.DORA_WEBHOOK_URL = saved.hook;
    }
  });

  it('a plain-http URL to another host is refused (the URL carries its secret)', async () => {
    process.env.PLAIN_URL = 'http://hooks.example.com/services/T/B/plainSecret';
    const configPath = join(tmp.dir, 'plain.config.json');
    writeFileSync(configPath, JSON.stringify({ alerts: { slack: { webhookUrlEnv: 'PLAIN_URL' } } }));
    const result = await runCli(['--config', configPath, 'alert', 'test', '--channel', 'slack']);
    expect(result.code).toEqual(2);
    expect(result.stdout).toEqual('slack: not usable (PLAIN_URL must be an https URL)\n');
    expect(result.stdout + result.stderr).not.toContain('plainSecret');
  });

  it('check and alert have help with examples', async () => {
    for (const command of [['check', '--help'], ['alert', 'test', '--help']]) {
      const help = await runCli(command);
      expect(help.code).toEqual(0);
      expect(help.stdout).toContain('Examples:');
    }
  });
});
