import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertsSection } from '../src/alerts/config.js';
import { buildAlert, sampleAlert, type AlertMessage } from '../src/alerts/message.js';
import { SlackMessage } from '../src/alerts/slack/block-kit.js';
import { slackMessage } from '../src/alerts/slack/build.js';
import { teamsMessage } from '../src/alerts/teams/card.js';
import { deliveryId, webhookBody, webhookNotifier } from '../src/alerts/webhook/index.js';
import type { ReleaseVerdict } from '../src/health/types.js';

const verdict = (overrides: Partial<ReleaseVerdict> = {}): ReleaseVerdict => ({
  service: 'api',
  release: {
    service: 'api',
    id: 'github:acme/api:77',
    finishedAt: Date.parse('2026-03-01T10:00:00Z'),
    environment: 'production',
    source: 'github',
    version: 'v2.14.0',
    url: 'https://github.com/acme/api/deployments',
    repo: 'acme/api',
    sha: 'abc1234',
    commitSha: 'abc1234def5678abc1234def5678abc1234def56',
    failed: true,
    incidents: ['PD-1'],
    rolledBackBy: '',
    rollbackMethod: '',
    isRollback: false,
    revertedBy: [],
  },
  verdict: 'rollback',
  confidence: 0.8,
  reasons: ['incident PD-1 opened 20 min after it, still open; this was the latest release of api'],
  signals: [],
  telemetry: null,
  window: { until: Date.parse('2026-03-01T12:00:00Z'), complete: false, observedSeconds: 1800, lengthSeconds: 7200 },
  state: 'live',
  replacedBy: '',
  rollbackTarget: { id: 'github:acme/api:76', version: 'v2.13.2', sha: 'fedcba9876543210fedcba9876543210fedcba98', finishedAt: '2026-02-27T09:00:00.000Z', command: '', instruction: 'deploy github:acme/api:76 (v2.13.2, fedcba987654) again' },
  suspect: { sha: 'abc1234def5678abc1234def5678abc1234def56', author: 'grace', title: 'Faster totals' },
  previousSha: 'fedcba9876543210fedcba9876543210fedcba98',
  incidentLinks: [{ id: 'PD-1', url: 'https://acme.pagerduty.com/incidents/PD-1' }],
  evaluatedAt: Date.parse('2026-03-01T10:30:00Z'),
  ...overrides,
});

const alerts = AlertsSection.parse({ dashboardUrl: 'https://grafana.example/d/dora' });

describe('Slack Block Kit', () => {
  it('builds a valid message with the suspect commit, the diff, the incident and the dashboard', () => {
    const message = slackMessage(buildAlert(verdict(), 'flag', 'rollback', alerts));
    expect(SlackMessage.safeParse(message).success).toBe(true);
    expect(message.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Release* `v2.14.0` of *api* in *production*, finished 2026-03-01 10:00 UTC\n*Suspect commit* `abc1234` by grace: Faster totals' },
    });
    expect(message.blocks[3]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Verdict*\nrollback (confidence 80 %)' },
        { type: 'mrkdwn', text: '*Return to*\ndeploy github:acme/api:76 (v2.13.2, fedcba987654) again' },
        { type: 'mrkdwn', text: '*Last good release*\ngithub:acme/api:76 (v2.13.2, fedcba9)' },
      ],
    });
    expect(message.blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Release' }, url: 'https://github.com/acme/api/deployments', action_id: 'link-0' },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Diff' },
          url: 'https://github.com/acme/api/compare/fedcba9876543210fedcba9876543210fedcba98...abc1234def5678abc1234def5678abc1234def56',
          action_id: 'link-1',
        },
        { type: 'button', text: { type: 'plain_text', text: 'Incident PD-1' }, url: 'https://acme.pagerduty.com/incidents/PD-1', action_id: 'link-2' },
        { type: 'button', text: { type: 'plain_text', text: 'Dashboard' }, url: 'https://grafana.example/d/dora', action_id: 'link-3' },
      ],
    });
  });

  it('keeps within Block Kit limits whatever the reasons say', () => {
    const long = 'x'.repeat(5000);
    const many = Array.from({ length: 20 }, (_, index) => `reason ${index} <b>&`);
    const message = slackMessage(buildAlert(verdict({ reasons: [long, ...many], service: 's'.repeat(200) }), 'flag', 'rollback', alerts));
    expect(SlackMessage.safeParse(message).success).toBe(true);
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    const why = message.blocks[2] as { text: { text: string } };
    expect(why.text.text).toHaveLength(3000);
    expect(why.text.text.endsWith('…')).toBe(true);
  });

  it('the schema refuses what Slack refuses', () => {
    const valid = slackMessage(sampleAlert(Date.parse('2026-03-01T10:00:00Z')));
    expect(SlackMessage.safeParse(valid).success).toBe(true);
    const broken = [
      { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'headers are plain text' } }] },
      { text: 'x', blocks: [{ type: 'section' }] },
      { text: 'x', blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }] },
      { text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, url: 'https://x.example' }] }] },
      { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) },
      { text: 'x', blocks: [{ type: 'divider', block_id: 'i'.repeat(256) }] },
      { text: '', blocks: [{ type: 'divider' }] },
    ];
    expect(broken.map((payload) => SlackMessage.safeParse(payload).success)).toEqual(broken.map(() => false));
  });

  it('a resolution says how it ended and shows no command', () => {
    const alert = buildAlert(verdict({ state: 'rolled_back', release: { ...verdict().release, rolledBackBy: 'github:acme/api:78' } }), 'resolution', 'rollback', alerts);
    expect(alert.headline).toEqual('Resolved: api v2.14.0 was rolled back');
    expect(alert.summary).toEqual('Resolved: api v2.14.0 was rolled back (rolled back by github:acme/api:78)');
    const message = slackMessage(alert);
    expect(SlackMessage.safeParse(message).success).toBe(true);
    expect(JSON.stringify(message)).not.toContain('Return to');
  });
});

describe('Teams and the generic webhook', () => {
  it('Teams gets one Adaptive Card 1.4 with facts and OpenUrl actions', () => {
    const envelope = teamsMessage(buildAlert(verdict(), 'flag', 'rollback', alerts)) as any;
    expect(envelope.type).toEqual('message');
    expect(envelope.attachments).toHaveLength(1);
    const card = envelope.attachments[0].content;
    expect([card.type, card.version]).toEqual(['AdaptiveCard', '1.4']);
    expect(card.body[1].facts).toEqual([
      { title: 'Service', value: 'api' },
      { title: 'Release', value: 'v2.14.0 · abc1234' },
      { title: 'Environment', value: 'production' },
      { title: 'Finished', value: '2026-03-01 10:00 UTC' },
      { title: 'Verdict', value: 'rollback (confidence 80 %)' },
      { title: 'Suspect commit', value: 'abc1234 by grace' },
      { title: 'Return to', value: 'deploy github:acme/api:76 (v2.13.2, fedcba987654) again' },
      { title: 'Last good release', value: 'github:acme/api:76' },
    ]);
    expect(card.actions.map((action: { type: string }) => action.type)).toEqual(['Action.OpenUrl', 'Action.OpenUrl', 'Action.OpenUrl', 'Action.OpenUrl']);
  });

  it('the webhook body follows the contract, and the signature is HMAC-SHA256 over timestamp.body', async () => {
    const alert = buildAlert(verdict(), 'flag', 'rollback', alerts);
    expect(webhookBody(alert)).toMatchObject({
      event: 'deployment.flagged',
      occurred_at: '2026-03-01T10:30:00.000Z',
      service: 'api',
      environment: 'production',
      release: { id: 'github:acme/api:77', version: 'v2.14.0', sha: 'abc1234def5678abc1234def5678abc1234def56', url: 'https://github.com/acme/api/deployments', finished_at: '2026-03-01T10:00:00.000Z' },
      rollback: { id: 'github:acme/api:76', command: null, instruction: 'deploy github:acme/api:76 (v2.13.2, fedcba987654) again' },
      resolution: null,
    });
    // The same alert keeps its delivery id across retries and runs.
    expect(deliveryId('github:acme/api:77|rollback')).toEqual(deliveryId('github:acme/api:77|rollback'));
    expect(deliveryId('github:acme/api:77|rollback')).not.toEqual(deliveryId('github:acme/api:77|resolved'));

    let seen: { headers: Record<string, string>; body: string } | undefined;
    const fetch = (async (_url: string, init: RequestInit) => {
      seen = { headers: init.headers as Record<string, string>, body: String(init.body) };
      return new Response(null, { status: 204 });
    }) as unknown as typeof globalThis.fetch;
    const notifier = webhookNotifier('https://receiver.example/hook', 's3cret', () => Date.parse('2026-03-01T10:30:00Z'));
    const result = await notifier.send(alert, { key: 'github:acme/api:77|rollback', attempt: 1 }, { fetch, sleep: async () => undefined });
    expect(result.status).toEqual(204);
    expect(seen?.headers['x-dora-timestamp']).toEqual('1772361000');
    expect(seen?.headers['x-dora-signature']).toEqual(`sha256=${createHmac('sha256', 's3cret').update(`1772361000.${seen?.body}`).digest('hex')}`);
  });

  it('Teams throttling reported in a 200 body is retried', async () => {
    const answers = [new Response('Microsoft Teams endpoint returned HTTP error 429 with ContextId ...', { status: 200 }), new Response('1', { status: 200 })];
    const fetch = (async () => answers.shift() as Response) as unknown as typeof globalThis.fetch;
    const waits: number[] = [];
    const { teamsNotifier } = await import('../src/alerts/teams/index.js');
    const result = await teamsNotifier('https://x.webhook.office.com/webhookb2/abc').send(sampleAlert(0) as AlertMessage, { key: 'k', attempt: 1 }, { fetch, sleep: async (ms) => void waits.push(ms) });
    expect(result).toMatchObject({ status: 200, body: '1', attempts: 2 });
    expect(waits).toEqual([1000]);
  });
});
