import { createHash, createHmac } from 'node:crypto';
import type { Notifier } from '../channels.js';
import { postJson } from '../http.js';
import type { AlertMessage } from '../message.js';

const events = { flag: 'deployment.flagged', resolution: 'deployment.resolved', test: 'alert.test' } as const;

/** The generic webhook body (our contract, apis.md §4). */
export function webhookBody(alert: AlertMessage): Record<string, unknown> {
  return {
    event: events[alert.kind],
    occurred_at: alert.occurredAt,
    service: alert.service,
    environment: alert.environment,
    verdict: alert.verdict,
    confidence: alert.confidence,
    state: alert.state,
    headline: alert.headline,
    release: { id: alert.release.id, version: alert.release.version, sha: alert.release.sha, url: alert.release.url, finished_at: alert.release.finishedAt },
    reasons: alert.reasons,
    resolution: alert.resolution || null,
    rollback: alert.rollback
      ? { id: alert.rollback.id, version: alert.rollback.version, sha: alert.rollback.sha, command: alert.rollback.command || null, instruction: alert.rollback.instruction }
      : null,
    suspect: alert.suspect,
    links: alert.links,
  };
}

/** A UUID-shaped id derived from the alert key: the same alert keeps its id across retries and runs (an idempotency key). */
export function deliveryId(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/**
 * POST the body with `X-Dora-Event`, `X-Dora-Delivery`, `X-Dora-Timestamp` and, with a
 * secret, `X-Dora-Signature: sha256=HMAC(secret, timestamp + "." + body)`, so a receiver
 * can check who sent it and when, and reject replays.
 */
export function webhookNotifier(url: string, secret: string | undefined, now: () => number = Date.now): Notifier {
  return {
    id: 'webhook',
    async send(alert, delivery, http) {
      const body = webhookBody(alert);
      const timestamp = String(Math.floor(now() / 1000));
      const headers: Record<string, string> = {
        'x-dora-event': events[alert.kind],
        'x-dora-delivery': deliveryId(delivery.key),
        'x-dora-timestamp': timestamp,
      };
      if (secret) headers['x-dora-signature'] = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${JSON.stringify(body)}`).digest('hex')}`;
      return postJson('webhook', url, body, headers, http);
    },
  };
}
