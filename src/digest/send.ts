import { createHmac } from 'node:crypto';
import { SlackMessage } from '../alerts/slack/block-kit.js';
import { DeliveryError, defaultClassify, postJson, type Classify, type HttpOptions } from '../alerts/http.js';
import { deliveryId } from '../alerts/webhook/index.js';
import { formatZodIssues } from '../errors.js';
import type { Digest } from './build.js';
import type { ChannelEndpoint } from '../alerts/channels.js';
import { digestSlack } from './slack.js';
import { digestTeams } from './teams.js';
import { digestWebhookBody } from './webhook.js';

/** Teams' legacy connector reports throttling in a 200 body (apis.md §4), as src/alerts/teams does. */
const teamsClassify: Classify = (status, body) => (status >= 200 && status < 300 && /HTTP error 429/i.test(body) ? 'retry' : defaultClassify(status, body));

/**
 * Send the digest to one channel with the alerts' HTTP rules (src/alerts/http.ts): 429 and
 * 5xx retried after Retry-After, errors that name the channel and never the URL.
 */
export async function sendDigest(digest: Digest, channel: ChannelEndpoint, period: string, http: HttpOptions, now: number): Promise<{ status: number; attempts: number }> {
  if (channel.id === 'slack') {
    const checked = SlackMessage.safeParse(digestSlack(digest));
    if (!checked.success) throw new DeliveryError('slack', `digest is not valid Block Kit: ${formatZodIssues(checked.error).join('; ')}`, 0);
    return postJson('slack', channel.url, checked.data, {}, http);
  }
  if (channel.id === 'teams') return postJson('teams', channel.url, digestTeams(digest), {}, http, teamsClassify);
  const body = digestWebhookBody(digest, now);
  const timestamp = String(Math.floor(now / 1000));
  const headers: Record<string, string> = {
    'x-dora-event': 'metrics.snapshot',
    'x-dora-delivery': deliveryId(`digest:${period}`),
    'x-dora-timestamp': timestamp,
  };
  if (channel.secret) headers['x-dora-signature'] = `sha256=${createHmac('sha256', channel.secret).update(`${timestamp}.${JSON.stringify(body)}`).digest('hex')}`;
  return postJson('webhook', channel.url, body, headers, http);
}
