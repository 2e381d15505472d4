import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackMessage } from '../src/alerts/slack/block-kit.js';
import { Config } from '../src/config/schema.js';
import { buildDigest, digestSlack, runDigest, type Digest } from '../src/digest/index.js';
import { startFakeChat, type FakeChat } from './fakes/chat/server.js';
import { deployment, incident, load } from './fixtures/report/events.js';
import { queryRows, tempStore } from './helpers/store.js';

/**
 * The weekly digest over a hand-built month in Europe/Berlin (CET, UTC+1, in March 2026
 * before the clocks change on the 29th). It goes out on Monday 16 March at 09:00, about
 * the week of Monday 9 March, against the week of Monday 2 March.
 */

const now = Date.parse('2026-03-16T08:00:00Z');
const config = Config.parse({
  services: { api: { team: 'core' }, web: { team: 'core' }, billing: { team: 'money' } },
  schedule: { timezone: 'Europe/Berlin' },
});
const berlin = (local: string) => new Date(Date.parse(`${local}+01:00`)).toISOString();

let store: Awaited<ReturnType<typeof tempStore>>;
let chat: FakeChat;
const waits: number[] = [];
const http = { sleep: async (ms: number) => void waits.push(ms) };
const SECRET = 'digest-hmac-secret';
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  store = await tempStore();
  chat = await startFakeChat();
  env = { SLACK_WEBHOOK_URL: chat.slackUrl, TEAMS_WEBHOOK_URL: chat.teamsUrl, DORA_WEBHOOK_URL: chat.webhookUrl, DORA_WEBHOOK_SECRET: SECRET };
  await load(store.client, [
    // The week before: api deploys on five days, none failed.
    ...['02', '03', '04', '05', '06'].map((day) => deployment(`api-${day}`, 'api', berlin(`2026-03-${day}T10:00:00`))),
    // Last week: api deploys five times on two days; an incident half an hour after the
    // fifth (Tuesday 11:00) is blamed on it, and is resolved two hours later.
    ...['09T10', '09T11', '09T12', '10T10', '10T11'].map((at) => deployment(`api-${at}`, 'api', berlin(`2026-03-${at}:00:00`))),
    incident('PD-1', 'api', berlin('2026-03-10T11:30:00'), { resolved: berlin('2026-03-10T13:30:00') }),
    // web: Monday 00:30 in Berlin is still Sunday in UTC; and one this week, after the digest's week.
    deployment('web-1', 'web', berlin('2026-03-09T00:30:00')),
    deployment('web-2', 'web', berlin('2026-03-16T00:30:00')),
    // billing: nothing in either week.
    deployment('billing-1', 'billing', berlin('2026-02-16T10:00:00')),
  ]);
});
afterAll(async () => {
  await chat.close();
  await store.dispose();
});

describe('the weekly digest', () => {
  let digest: Digest;
  beforeAll(async () => {
    digest = await buildDigest(store.client, { config, now });
  });

  it('covers last week in the team\'s zone, against the week before', () => {
    expect(digest.week).toEqual({ since: Date.parse('2026-03-08T23:00:00Z'), until: Date.parse('2026-03-15T23:00:00Z'), monday: '2026-03-09', sunday: '2026-03-15', tz: 'Europe/Berlin' });
    expect(digest.previous).toMatchObject({ monday: '2026-03-02', sunday: '2026-03-08' });
    expect(digest.newsworthy).toBe(true);
  });

  it('reports each team and service that had something in either week', () => {
    expect(digest.teams.map((team) => [team.name, team.services])).toEqual([['core', ['api', 'web']]]);
    expect(digest.services.map((service) => service.name)).toEqual(['api', 'web']);
    const figure = (name: string, key: string) => digest.services.find((group) => group.name === name)!.figures.find((item) => item.key === key)!;
    // api: 5 deployments last week as the week before.
    expect(figure('api', 'deployment_frequency')).toMatchObject({ value: 5, text: '5 / week', trend: '= same', tier: 'high', n: 5 });
    // 1 of 5 failed (PD-1) = 20 %, from 0 % the week before: +20 points.
    expect(figure('api', 'change_failure_rate')).toMatchObject({ value: 0.2, text: '20 % (1/5)', trend: '▲ +20 pp', tier: 'low' });
    // PD-1 restored in 2 h: one row, no tier.
    expect(figure('api', 'time_to_restore')).toMatchObject({ value: 7200, trend: 'new', tier: 'insufficient data', n: 1 });
    // web: Monday 00:30 in Berlin belongs to last week (in UTC it would be the week before).
    expect(figure('web', 'deployment_frequency')).toMatchObject({ value: 1, trend: '▲ +1', n: 1 });
    expect(digest.report.previous.services.web?.deployment_frequency.deployments).toEqual(0);
  });

  it('names each tier that moved', () => {
    // Overall and team core (api + web): 6 deployments on 2 days last week (median 2 deploy days: high)
    // against 5 on 5 days (elite); 1 of 6 failed = 16.7 % (low) against 0 % (elite). api alone the same.
    const changes = ['overall', 'core', 'api'].flatMap((name) => [
      { name, metric: 'deployment frequency', from: 'elite', to: 'high', better: false },
      { name, metric: 'change failure rate', from: 'elite', to: 'low', better: false },
    ]);
    expect(digest.tierChanges.map(({ name, metric, from, to, better }) => ({ name, metric, from, to, better }))).toEqual(changes);
    expect(digest.report.overall.change_failure_rate).toMatchObject({ failed: 1, deployments: 6 });
  });

  it('says nothing about weeks in which nothing happened', async () => {
    // The weeks of 26 January and 2 February: no deployment, change or incident at all.
    const quiet = await runDigest(store.client, { config, env, now: Date.parse('2026-02-09T08:00:00Z'), dir: join(store.dir, 'quiet'), http });
    expect(quiet).toMatchObject({ newsworthy: false, file: null, sent: [], failed: [] });
    expect(chat.requests).toEqual([]);
    expect(existsSync(join(store.dir, 'quiet'))).toBe(false);
  });

  it('goes once to each channel, and a channel that failed gets it on the next run', async () => {
    chat.reset();
    chat.script('slack', { status: 404, body: 'channel_not_found' });
    const first = await runDigest(store.client, { config, env, now, dir: join(store.dir, 'digests'), http, agent: 'test-agent' });
    expect(first.sent.map((item) => item.channel)).toEqual(['teams', 'webhook']);
    expect(first.failed).toEqual([{ channel: 'slack', error: 'slack: HTTP 404 channel_not_found' }]);
    expect(first.period).toEqual('2026-03-09@Europe/Berlin');

    const second = await runDigest(store.client, { config, env, now: now + 600_000, http });
    expect(second.sent.map((item) => item.channel)).toEqual(['slack']);
    expect(second.already).toEqual(['teams', 'webhook']);

    const third = await runDigest(store.client, { config, env, now: now + 1_200_000, http });
    expect(third).toMatchObject({ sent: [], failed: [], already: ['slack', 'teams', 'webhook'] });
    // Out everywhere already: not even built again.
    expect(third.digest).toBeUndefined();
    // 404 is not retried; one failed Slack request, then one message per channel in all.
    expect(chat.requests.map((request) => [request.channel, request.status])).toEqual([['slack', 404], ['teams', 202], ['webhook', 200], ['slack', 200]]);
    expect(waits).toEqual([]);
    const rows = await queryRows(store.client, `SELECT channel, status FROM digest_deliveries FINAL WHERE period = {period:String} ORDER BY channel`, { period: first.period });
    expect(rows).toEqual([{ channel: 'slack', status: 'sent' }, { channel: 'teams', status: 'sent' }, { channel: 'webhook', status: 'sent' }]);
  });

  it('sends Block Kit, an Adaptive Card and a signed metrics.snapshot, and never a webhook URL in an error', () => {
    const [slack] = chat.messages('slack');
    expect(SlackMessage.safeParse(slack!.body).success).toBe(true);
    expect(slack!.body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'DORA weekly digest: 2026-03-09 – 2026-03-15' } });
    expect(slack!.body.text).toEqual('DORA weekly digest: 2026-03-09 – 2026-03-15: 6 production deployments, 1 failed, 6 tier changes');
    const sections = JSON.stringify(slack!.body.blocks);
    expect(sections).toContain('overall: change failure rate elite → low (worse)');
    expect(sections).toContain('*change failure rate*\\n16.7 % (1/6)\\n▲ +16.7 pp · low');

    const [teams] = chat.messages('teams');
    const card = teams!.body.attachments[0].content;
    const facts = card.body.filter((element: { type: string }) => element.type === 'FactSet');
    // Overall, team core, services api and web.
    expect(facts).toHaveLength(4);
    expect(facts[0].facts.find((fact: { title: string }) => fact.title === 'deployment frequency')).toEqual({ title: 'deployment frequency', value: '6 / week · ▲ +1 (+20 %) · high' });

    const [hook] = chat.messages('webhook');
    expect(hook!.headers['x-dora-event']).toEqual('metrics.snapshot');
    const timestamp = String(hook!.headers['x-dora-timestamp']);
    expect(hook!.headers['x-dora-signature']).toEqual(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${hook!.raw}`).digest('hex')}`);
    expect(hook!.body).toMatchObject({ event: 'metrics.snapshot', period: { monday: '2026-03-09', tz: 'Europe/Berlin' } });
    expect(hook!.body.metrics.services.api.change_failure_rate).toEqual({ failed: 1, deployments: 5, rate: 0.2, tier: 'low' });
  });

  it('writes the week as markdown', () => {
    const text = readFileSync(join(store.dir, 'digests', 'dora-digest-2026-03-09.md'), 'utf8');
    expect(text.split('\n').slice(0, 3)).toEqual(['# DORA weekly digest: 2026-03-09 – 2026-03-15', '', 'Monday 2026-03-09 to Sunday 2026-03-15 (Europe/Berlin), compared with 2026-03-02 – 2026-03-08.']);
    expect(text).toContain('- service api: change failure rate elite → low (worse)');
    expect(text).toContain('## Team core (api, web)');
    expect(text).toContain('| change failure rate | 20 % (1/5) | 5 | low | ▲ +20 pp |');
    expect(text).not.toContain('billing');
  });

  it('keeps a digest of many teams and services within Slack\'s limits', () => {
    const [api] = digest.services;
    const many: Digest = {
      ...digest,
      teams: Array.from({ length: 30 }, (_, index) => ({ ...digest.teams[0]!, name: `team-${index}` })),
      services: Array.from({ length: 400 }, (_, index) => ({ ...api!, name: `service-with-a-long-name-${index}` })),
    };
    const message = digestSlack(many);
    expect(SlackMessage.safeParse(message).success).toBe(true);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks)).toContain('…and 10 more teams in the markdown digest');
    expect(JSON.stringify(message.blocks)).toMatch(/…and \d+ more/);
  });
});
