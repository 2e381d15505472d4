import type { AlertsSection } from '../alerts/config.js';
import { channelDefaults } from '../alerts/config.js';
import { registerSecret } from '../log.js';

export type DigestChannelId = 'slack' | 'teams' | 'webhook';

export interface DigestChannel {
  id: DigestChannelId;
  url: string;
  /** HMAC secret of the generic webhook. */
  secret?: string;
}

export interface DigestChannelProblem {
  channel: DigestChannelId;
  message: string;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The digest goes where rollback alerts go: the `alerts` section's channels, or their
 * default variables (`SLACK_WEBHOOK_URL`, `TEAMS_WEBHOOK_URL`, `DORA_WEBHOOK_URL`), under
 * the same rules as src/alerts/channels.ts (https, or plain http to this machine). That
 * module hands out notifiers for release alerts only, not the URLs, hence this twin.
 * Every URL and secret is registered so it never reaches a log line.
 */
export function digestChannels(alerts: AlertsSection, env: NodeJS.ProcessEnv): { channels: DigestChannel[]; problems: DigestChannelProblem[] } {
  const channels: DigestChannel[] = [];
  const problems: DigestChannelProblem[] = [];
  for (const id of ['slack', 'teams', 'webhook'] as const) {
    const section = alerts[id];
    if (section && !section.enabled) continue;
    const variable = section?.webhookUrlEnv ?? channelDefaults[id];
    const url = env[variable]?.trim();
    registerSecret(url);
    if (!url) {
      if (section) problems.push({ channel: id, message: `${variable} is not set (alerts.${id} names it)` });
      continue;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      problems.push({ channel: id, message: `${variable} is not a URL` });
      continue;
    }
    if (!(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname)))) {
      problems.push({ channel: id, message: `${variable} must be an https URL` });
      continue;
    }
    const channel: DigestChannel = { id, url };
    if (id === 'webhook') {
      const secret = env[alerts.webhook?.secretEnv ?? 'DORA_WEBHOOK_SECRET'] || undefined;
      registerSecret(secret);
      if (secret) channel.secret = secret;
    }
    channels.push(channel);
  }
  return { channels, problems };
}
