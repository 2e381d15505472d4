import type { ReleaseVerdict } from '../health/types.js';
import type { ChannelId, Notifier } from './channels.js';
import type { AlertsSection } from './config.js';
import { scrub } from '../log.js';
import { DeliveryError, type HttpOptions } from './http.js';
import type { DeliveryRow, Ledger } from './ledger.js';
import { buildAlert } from './message.js';
import { planAlerts, type Deferred } from './plan.js';

export interface SendOptions {
  ledger: Ledger;
  notifiers: readonly Notifier[];
  alerts: AlertsSection;
  http?: HttpOptions;
  now?: number;
  /** Plan only: nothing is claimed, sent or recorded. */
  dryRun?: boolean;
}

export interface AlertOutcome {
  release: string;
  service: string;
  kind: 'flag' | 'resolution';
  verdict: string;
  channel: ChannelId;
  headline: string;
}

export interface SendSummary {
  /** Sent (or, in a dry run, to be sent). */
  sent: (AlertOutcome & { attempts: number; waits: number[] })[];
  failed: (AlertOutcome & { error: string })[];
  deferred: Deferred[];
  /** Being sent by another agent at the same time. */
  busy: { release: string; channel: ChannelId }[];
}

/**
 * Plan, claim, send and record the alerts for these verdicts. Channels are independent:
 * one that fails (after its retries) is reported and skipped for the rest of the run
 * while the others go on; what it missed stays pending for the next run.
 */
export async function sendAlerts(verdicts: readonly ReleaseVerdict[], options: SendOptions): Promise<SendSummary> {
  const now = options.now ?? Date.now();
  const { ledger, alerts } = options;
  const byId = new Map(options.notifiers.map((notifier) => [notifier.id, notifier]));
  const delivered = await ledger.deliveries(verdicts.map((verdict) => verdict.release.id));
  const recentFlags = alerts.cooldownMinutes > 0 ? await ledger.recentFlags(now - alerts.cooldownMinutes * 60_000) : new Map();
  const { planned, deferred } = planAlerts({ verdicts, channels: [...byId.keys()], delivered, recentFlags, alerts, now });
  const summary: SendSummary = { sent: [], failed: [], deferred, busy: [] };
  const outcome = (alert: (typeof planned)[number], channel: ChannelId): AlertOutcome => ({
    release: alert.verdict.release.id,
    service: alert.verdict.service,
    kind: alert.kind,
    verdict: alert.flagged,
    channel,
    headline: buildAlert(alert.verdict, alert.kind, alert.flagged, alerts).headline,
  });

  if (options.dryRun) {
    for (const alert of planned) for (const channel of alert.channels) summary.sent.push({ ...outcome(alert, channel), attempts: 0, waits: [] });
    return summary;
  }

  const keyOf = new Map(planned.map((alert) => [alert.key, alert]));
  const claims = await ledger.claim(
    planned.flatMap((alert) => alert.channels.map((channel) => ({ key: alert.key, channel }))),
    delivered,
  );
  for (const item of claims.busy) summary.busy.push({ release: keyOf.get(item.key)?.verdict.release.id ?? item.key, channel: item.channel });
  const dead = new Map<ChannelId, string>();

  for (const alert of planned) {
    const won = claims.won.filter((claim) => claim.key === alert.key);
    if (won.length === 0) continue;
    const message = buildAlert(alert.verdict, alert.kind, alert.flagged, alerts);
    const rows: DeliveryRow[] = [];
    await Promise.all(
      won.map(async (claim) => {
        const base = {
          key: alert.key,
          channel: claim.channel,
          attempt: claim.attempt,
          release_id: alert.verdict.release.id,
          service: alert.verdict.service,
          verdict: alert.flagged,
          kind: alert.kind,
          state: alert.verdict.state,
          agent: ledger.agent,
        };
        const earlier = dead.get(claim.channel);
        if (earlier) {
          rows.push({ ...base, status: 'failed', detail: `not tried: ${earlier}`, at: Date.now() });
          summary.failed.push({ ...outcome(alert, claim.channel), error: `not tried: ${earlier}` });
          return;
        }
        try {
          const result = await (byId.get(claim.channel) as Notifier).send(message, { key: alert.key, attempt: claim.attempt }, options.http ?? {});
          rows.push({ ...base, status: 'sent', detail: `HTTP ${result.status} after ${result.attempts} attempt(s)`, at: Date.now() });
          summary.sent.push({ ...outcome(alert, claim.channel), attempts: result.attempts, waits: result.waits });
        } catch (error) {
          const text = error instanceof DeliveryError ? error.message : scrub(`${claim.channel}: ${(error as Error).message}`);
          dead.set(claim.channel, text);
          rows.push({ ...base, status: 'failed', detail: text, at: Date.now() });
          summary.failed.push({ ...outcome(alert, claim.channel), error: text });
        }
      }),
    );
    // Recorded per alert, so a run that dies half-way never sends what it already sent.
    await ledger.record(rows);
  }
  return summary;
}
