import { registerSecret } from '../log.js';
import { channelDefaults, type AlertsSection } from './config.js';
import type { HttpOptions, PostResult } from './http.js';
import type { AlertMessage } from './message.js';
import { slackNotifier } from './slack/index.js';
import { teamsNotifier } from './teams/index.js';
import { webhookNotifier } from './webhook/index.js';

export type ChannelId = 'slack' | 'teams' | 'webhook';
export const channelIds: ChannelId[] = ['slack', 'teams', 'webhook'];

/** Which alert this is, for idempotency keys. */
export interface Delivery {
  key: string;
  attempt: number;
}

export interface Notifier {
  readonly id: ChannelId;
  send(alert: AlertMessage, delivery: Delivery, http: HttpOptions): Promise<PostResult>;
}

export interface ChannelProblem {
  channel: ChannelId;
  message: string;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** A webhook URL must be https (it carries its own secret); plain http only to this machine. The URL itself is never in a message. */
function checkUrl(url: string, variable: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${variable} is not a URL`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname)) return undefined;
  return `${variable} must be an https URL`;
}

/** Where a channel sends: its webhook URL, and the signing secret of the generic webhook. */
export interface ChannelEndpoint {
  id: ChannelId;
  url: string;
  secret?: string;
}

/**
 * The channels to send to: each configured section (its URL from the variable it names),
 * and, without a section, the default variable alone (`SLACK_WEBHOOK_URL`, ...). Every
 * URL and secret is registered so it is scrubbed from all output. Release alerts and the
 * weekly digest both go through here.
 */
export function resolveEndpoints(alerts: AlertsSection, env: NodeJS.ProcessEnv = process.env): { endpoints: ChannelEndpoint[]; problems: ChannelProblem[] } {
  const endpoints: ChannelEndpoint[] = [];
  const problems: ChannelProblem[] = [];
  for (const channel of channelIds) {
    const section = alerts[channel];
    if (section && !section.enabled) continue;
    const variable = section?.webhookUrlEnv ?? channelDefaults[channel];
    const url = env[variable]?.trim();
    registerSecret(url);
    if (!url) {
      if (section) problems.push({ channel, message: `${variable} is not set (alerts.${channel} names it)` });
      continue;
    }
    const problem = checkUrl(url, variable);
    if (problem) {
      problems.push({ channel, message: problem });
      continue;
    }
    const endpoint: ChannelEndpoint = { id: channel, url };
    if (channel === 'webhook') {
      const secret = env[alerts.webhook?.secretEnv ?? 'DORA_WEBHOOK_SECRET'] || undefined;
      registerSecret(secret);
      if (secret) endpoint.secret = secret;
    }
    endpoints.push(endpoint);
  }
  return { endpoints, problems };
}

/** The release-alert notifier of each resolved channel. */
export function resolveChannels(alerts: AlertsSection, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): { notifiers: Notifier[]; problems: ChannelProblem[] } {
  const { endpoints, problems } = resolveEndpoints(alerts, env);
  const notifiers = endpoints.map(({ id, url, secret }) =>
    id === 'slack' ? slackNotifier(url) : id === 'teams' ? teamsNotifier(url) : webhookNotifier(url, secret, now),
  );
  return { notifiers, problems };
}
