import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveChannels } from '../src/alerts/channels.js';
import { AlertsSection } from '../src/alerts/config.js';
import { DeliveryError, postJson, retryAfterMs } from '../src/alerts/http.js';
import { Ledger } from '../src/alerts/ledger.js';
import { sendAlerts, type SendSummary } from '../src/alerts/send.js';
import { Config } from '../src/config/schema.js';
import { deriveMetrics } from '../src/derive/run.js';
import { evaluateReleases, type ReleaseVerdict } from '../src/health/index.js';
import { checkExitCode } from '../src/cli/commands/check.js';
import { startFakeChat, type FakeChat } from './fakes/chat/server.js';
import { ago, deploy, herokuRelease, incident, load, sha } from './fakes/chat/releases.js';
import { queryRows, tempStore } from './helpers/store.js';

type TempStore = Awaited<ReturnType<typeof tempStore>>;
let store: TempStore;
let chat: FakeChat;
const now = Date.now();

/** Waits are recorded, never slept: the retries are asserted, the test stays fast. */
function recorder() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const env = () => ({ SLACK_WEBHOOK_URL: chat.slackUrl, TEAMS_WEBHOOK_URL: chat.teamsUrl, DORA_WEBHOOK_URL: chat.webhookUrl });

async function judge(services: string[], config = Config.parse({})): Promise<ReleaseVerdict[]> {
  await deriveMetrics(store.client, { config });
  return (await evaluateReleases(store.client, { config, since: now - 86_400_000, now, services })).verdicts;
}

async function send(verdicts: ReleaseVerdict[], options: { agent?: string; alerts?: AlertsSection; sleep?: (ms: number) => Promise<void>; at?: number } = {}): Promise<SendSummary> {
  const alerts = options.alerts ?? AlertsSection.parse({});
  const { notifiers } = resolveChannels(alerts, env());
  return sendAlerts(verdicts, {
    ledger: new Ledger(store.client, options.agent ?? 'agent-a', { settleMs: 30 }),
    notifiers,
    alerts,
    now: options.at ?? now,
    http: { sleep: options.sleep ?? recorder().sleep },
  });
}

const headlines = (summary: SendSummary) => summary.sent.map((item) => `${item.channel} ${item.headline}`).sort();

beforeAll(async () => {
  store = await tempStore();
  chat = await startFakeChat();
});
afterAll(async () => {
  await chat?.close();
  await store?.dispose();
});

describe('postJson: retries honour Retry-After', () => {
  let server: ReturnType<typeof createServer>;
  let url = '';
  const answers: { status: number; headers?: Record<string, string>; body?: string; hang?: boolean }[] = [];
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      const answer = answers.shift() ?? { status: 200, body: 'ok' };
      if (answer.hang) return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/secret`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('waits the Retry-After seconds of a 429, then succeeds', async () => {
    answers.push({ status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' });
    const { waits, sleep } = recorder();
    const result = await postJson('slack', url, { text: 'x' }, {}, { sleep });
    expect(result).toEqual({ status: 200, body: 'ok', attempts: 2, waits: [3000] });
    expect(waits).toEqual([3000]);
  });

  it('reads Retry-After as an HTTP date too; backs off 1 s, 2 s without one', async () => {
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('2026-10-21T07:28:00Z'))).toEqual(10_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    answers.push({ status: 503, body: 'down' }, { status: 500, body: 'rollup_error' });
    const { waits, sleep } = recorder();
    const result = await postJson('slack', url, {}, {}, { sleep });
    expect(result.attempts).toEqual(3);
    expect(waits).toEqual([1000, 2000]);
  });

  it('gives up after 4 attempts, naming the channel and the answer, never the URL', async () => {
    answers.push({ status: 500, body: 'rollup_error' }, { status: 500, body: 'rollup_error' }, { status: 500, body: 'rollup_error' }, { status: 500, body: 'rollup_error' });
    const { waits, sleep } = recorder();
    const error = await postJson('slack', url, {}, {}, { sleep }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toEqual('slack: HTTP 500 rollup_error; gave up after 4 attempts');
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it('does not retry a 4xx such as 410 channel_is_archived', async () => {
    const before = requests;
    answers.push({ status: 410, body: 'channel_is_archived' });
    const error = (await postJson('slack', url, {}, {}, { sleep: recorder().sleep }).catch((caught: unknown) => caught)) as DeliveryError;
    expect(error.message).toEqual('slack: HTTP 410 channel_is_archived');
    expect(requests - before).toEqual(1);
  });

  it('leaves a Retry-After longer than the run may wait for the next run', async () => {
    answers.push({ status: 429, headers: { 'retry-after': '3600' } });
    const { waits, sleep } = recorder();
    const error = (await postJson('slack', url, {}, {}, { sleep }).catch((caught: unknown) => caught)) as DeliveryError;
    expect(error.message).toEqual('slack: HTTP 429; asked to wait 3600 s, left for the next run');
    expect(waits).toEqual([]);
  });

  it('a webhook that never answers times out; a closed port is a failed request; neither shows the URL', async () => {
    answers.push({ status: 0, hang: true }, { status: 0, hang: true });
    const slow = (await postJson('teams', url, {}, {}, { sleep: recorder().sleep, timeoutMs: 100, maxAttempts: 2 }).catch((caught: unknown) => caught)) as DeliveryError;
    expect(slow.message).toEqual('teams: no answer in time; gave up after 2 attempts');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hook/secret-path`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = (await postJson('webhook', deadUrl, {}, {}, { sleep: recorder().sleep, maxAttempts: 2 }).catch((caught: unknown) => caught)) as DeliveryError;
    expect(dead.message).toEqual('webhook: request failed (ECONNREFUSED); gave up after 2 attempts');
    expect(dead.message).not.toContain('secret-path');
  });
});

describe('sending alerts through the store', () => {
  beforeAll(async () => {
    await load(store.client, [
      herokuRelease('acme-shop', 'shop', 1, ago(now, 2 * 1440), { sha: sha('s1') }),
      herokuRelease('acme-shop', 'shop', 2, ago(now, 30), { sha: sha('s2') }),
      incident('PD-1', 'shop', ago(now, 20), { deployment: 'heroku:acme-shop:v2' }),
      deploy('api-1', 'api', ago(now, 2 * 1440), { sha: sha('a1') }),
      deploy('api-2', 'api', ago(now, 25), { sha: sha('a2'), health_check: 'failed' }),
      deploy('web-1', 'web', ago(now, 2 * 1440), { sha: sha('w1') }),
      deploy('web-2', 'web', ago(now, 20), { sha: sha('w2'), health_check: 'unhealthy' }),
    ]);
  });

  it('a dead webhook never blocks: Slack fails after its retries, Teams and the webhook still get the alert; the next run retries Slack only', async () => {
    const verdicts = await judge(['shop']);
    chat.reset();
    chat.script('slack', ...Array.from({ length: 4 }, () => ({ status: 500, body: 'rollup_error' })));
    const { waits, sleep } = recorder();
    const first = await send(verdicts, { sleep });
    expect(headlines(first)).toEqual(['teams Rollback recommended: shop v2', 'webhook Rollback recommended: shop v2']);
    expect(first.failed.map((item) => item.error)).toEqual(['slack: HTTP 500 rollup_error; gave up after 4 attempts']);
    expect(waits).toEqual([1000, 2000, 4000]);
    // `dora check` says so in its exit code.
    expect(checkExitCode({ alerts: first, problems: [], evaluation: { verdicts: [] } } as never, undefined)).toEqual(5);

    chat.reset();
    const second = await send(verdicts);
    expect(headlines(second)).toEqual(['slack Rollback recommended: shop v2']);
    expect(chat.messages('teams')).toEqual([]);
    const attempts = await queryRows<{ attempt: number; status: string }>(
      store.client,
      "SELECT attempt, status FROM alert_deliveries FINAL WHERE key = 'heroku:acme-shop:v2|rollback' AND channel = 'slack' ORDER BY attempt",
    );
    expect(attempts).toEqual([{ attempt: 1, status: 'failed' }, { attempt: 2, status: 'sent' }]);
  });

  it('two agents at once: each alert goes out once per channel', async () => {
    const verdicts = await judge(['api']);
    chat.reset();
    const [a, b] = await Promise.all([send(verdicts, { agent: 'agent-a' }), send(verdicts, { agent: 'agent-b' })]);
    expect(a.sent.length + b.sent.length).toEqual(3);
    expect(a.busy.length + b.busy.length).toEqual(3);
    expect(chat.messages('slack')).toHaveLength(1);
    expect(chat.messages('teams')).toHaveLength(1);
    expect(chat.messages('webhook')).toHaveLength(1);
  });

  it('a claim left by an agent that died is taken over after it expires', async () => {
    const verdicts = await judge(['web']);
    await store.client.command({
      query: `INSERT INTO alert_claims (key, channel, attempt, agent, claimed_at) VALUES ('web-2|rollback', 'slack', 1, 'agent-dead', now64(6, 'UTC') - INTERVAL 1 HOUR)`,
    });
    chat.reset();
    const summary = await send(verdicts, { alerts: AlertsSection.parse({ slack: {} }) });
    // Slack: the dead agent's attempt 1 expired (10 min), so this agent sends as attempt 2. Teams and webhook: attempt 1.
    // web-2 has no version: it is named by its short commit.
    const name = `Rollback recommended: web ${sha('w2').slice(0, 7)}`;
    expect(headlines(summary)).toEqual([`slack ${name}`, `teams ${name}`, `webhook ${name}`]);
    const [row] = await queryRows<{ attempt: number; agent: string }>(store.client, "SELECT attempt, agent FROM alert_deliveries FINAL WHERE key = 'web-2|rollback' AND channel = 'slack'");
    expect(row).toEqual({ attempt: 2, agent: 'agent-a' });
  });
});

describe('what is sent', () => {
  beforeAll(async () => {
    await load(store.client, [
      deploy('pay-1', 'pay', ago(now, 2 * 1440), { version: 'p1' }),
      deploy('pay-2', 'pay', ago(now, 50), { version: 'p2' }),
      // Before pay-2, and 24 h after pay-1: attributed to neither (24 h window).
      incident('PD-7', 'pay', ago(now, 24 * 60), { title: 'unrelated' }),
      deploy('mail-1', 'mail', ago(now, 2 * 1440), { version: 'm1' }),
      deploy('mail-2', 'mail', ago(now, 45), { version: 'm2', health_check: 'failed' }),
      deploy('auth-1', 'auth', ago(now, 2 * 1440), { version: 'a1' }),
      deploy('auth-2', 'auth', ago(now, 10 * 60), { version: 'a2' }),
      incident('PD-8', 'auth', ago(now, 6 * 60), { title: 'Login <slow> & "flaky"' }),
    ]);
  });

  it('at most alerts.maxPerRun per run; the rest go out next run', async () => {
    const verdicts = await judge(['pay', 'mail']);
    const alerts = AlertsSection.parse({ maxPerRun: 1, slack: {}, teams: { enabled: false }, webhook: { enabled: false } });
    chat.reset();
    const first = await send(verdicts, { alerts });
    // Only mail-2 is flagged (pay's incident came before pay-2 and too long after pay-1): one alert fits.
    expect(headlines(first)).toEqual(['slack Rollback recommended: mail m2']);
    expect(first.deferred).toEqual([]);
    await load(store.client, [incident('PD-9', 'pay', ago(now, 30), { deployment: 'pay-2' }), incident('PD-10', 'mail', ago(now, 30), { deployment: 'mail-2' })]);
    await load(store.client, [deploy('ops-1', 'ops', ago(now, 2 * 1440), { version: 'o1' }), deploy('ops-2', 'ops', ago(now, 15), { version: 'o2', health_check: 'failed' })]);
    const more = await judge(['pay', 'ops']);
    chat.reset();
    const second = await send(more, { alerts });
    expect(second.sent).toHaveLength(1);
    expect(second.deferred).toEqual([{ release: 'pay-2', kind: 'flag', channel: 'slack', reason: 'at most 1 alerts per run (alerts.maxPerRun): next run' }]);
    // ops-2 finished last: newest first.
    expect(headlines(second)).toEqual(['slack Rollback recommended: ops o2']);
    const third = await send(more, { alerts });
    expect(headlines(third)).toEqual(['slack Rollback recommended: pay p2']);
  });

  it('with minVerdict watch: a watch alert, escalated once to rollback, resolved once when replaced', async () => {
    const alerts = AlertsSection.parse({ minVerdict: 'watch', cooldownMinutes: 0, slack: {}, teams: { enabled: false }, webhook: { enabled: false } });
    chat.reset();
    // auth-2: an incident 4 h after it (outside its 2 h window): watch.
    const watch = await send(await judge(['auth']), { alerts });
    expect(headlines(watch)).toEqual(['slack Watch: auth a2']);
    const slack = chat.messages('slack')[0]?.body as { text: string; blocks: { type: string; text?: { text: string } }[] };
    // Slack's control characters are escaped.
    expect(slack.blocks[2]?.text?.text).toContain('incident PD-8 "Login &lt;slow&gt; &amp; "flaky"" opened 4 h after it');
    await load(store.client, [incident('PD-11', 'auth', ago(now, 5 * 60), { deployment: 'auth-2' })]);
    const escalated = await send(await judge(['auth']), { alerts });
    expect(headlines(escalated)).toEqual(['slack Rollback recommended: auth a2']);
    expect(headlines(await send(await judge(['auth']), { alerts }))).toEqual([]);
    await load(store.client, [deploy('auth-3', 'auth', ago(now, 1), { version: 'a3' })]);
    const resolved = await send(await judge(['auth']), { alerts });
    expect(headlines(resolved)).toEqual(['slack Resolved: auth a2 was replaced']);
    expect(headlines(await send(await judge(['auth']), { alerts }))).toEqual([]);
  });
});
