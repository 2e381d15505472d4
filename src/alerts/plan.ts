import { verdictRank, type ReleaseVerdict } from '../health/types.js';
import type { ChannelId } from './channels.js';
import type { AlertsSection } from './config.js';
import type { DeliveryRow } from './ledger.js';
import type { FlagVerdict } from './message.js';

export interface PlannedAlert {
  /** `<release id>|rollback`, `<release id>|watch` or `<release id>|resolved`: sent once per channel. */
  key: string;
  kind: 'flag' | 'resolution';
  /** The verdict flagged; for a resolution, the most severe one that was alerted. */
  flagged: FlagVerdict;
  verdict: ReleaseVerdict;
  channels: ChannelId[];
}

export interface Deferred {
  release: string;
  kind: 'flag' | 'resolution';
  channel: ChannelId;
  reason: string;
}

export interface PlanInput {
  verdicts: readonly ReleaseVerdict[];
  channels: readonly ChannelId[];
  delivered: readonly DeliveryRow[];
  /** Latest flag per `service\0channel`. */
  recentFlags: ReadonlyMap<string, { release: string; at: number }>;
  alerts: AlertsSection;
  now: number;
}

const time = (millis: number) => `${new Date(millis).toISOString().slice(11, 16)} UTC`;

/**
 * What to send this run, per channel (user-needs 25: only "should roll back" or "was
 * rolled back", no noise):
 * - a flag for a release judged at least `alerts.minVerdict`, while it is live or when it
 *   was rolled back (a silent rollback is news), once per (release, verdict) and channel,
 *   never after a more severe flag or, once it is no longer live, after any flag;
 * - one resolution per channel that got a flag while the release was live, once it is
 *   rolled back, replaced, or no longer flagged;
 * - a service's next flag waits `cooldownMinutes` after its previous one (resolutions
 *   never wait); at most `maxPerRun` alerts, live rollbacks first, newest first.
 */
export function planAlerts(input: PlanInput): { planned: PlannedAlert[]; deferred: Deferred[] } {
  const minimum = verdictRank[input.alerts.minVerdict];
  const sent = input.delivered.filter((row) => row.status === 'sent');
  const cooldownMs = input.alerts.cooldownMinutes * 60_000;
  const lastFlag = new Map(input.recentFlags);
  const candidates: PlannedAlert[] = [];
  const deferred: Deferred[] = [];

  for (const verdict of input.verdicts) {
    const id = verdict.release.id;
    const mine = sent.filter((row) => row.release_id === id);
    const flagsOn = (channel: ChannelId) => mine.filter((row) => row.kind === 'flag' && row.channel === channel);
    const flaggedNow = verdict.verdict !== 'healthy' && verdictRank[verdict.verdict] >= minimum;

    if (flaggedNow && verdict.state !== 'replaced') {
      const flagged = verdict.verdict as FlagVerdict;
      const channels = input.channels.filter((channel) => {
        const earlier = flagsOn(channel);
        if (earlier.some((row) => row.verdict === flagged)) return false;
        if (earlier.some((row) => verdictRank[row.verdict as FlagVerdict] > verdictRank[flagged])) return false;
        return verdict.state === 'live' || earlier.length === 0;
      });
      if (channels.length > 0) candidates.push({ key: `${id}|${flagged}`, kind: 'flag', flagged, verdict, channels });
    }

    const stillFlagged = flaggedNow && verdict.state === 'live';
    if (!stillFlagged) {
      const channels = input.channels.filter(
        (channel) => flagsOn(channel).some((row) => row.state === 'live') && !mine.some((row) => row.kind === 'resolution' && row.channel === channel),
      );
      if (channels.length > 0) {
        const worst = mine.filter((row) => row.kind === 'flag').some((row) => row.verdict === 'rollback') ? 'rollback' : 'watch';
        candidates.push({ key: `${id}|resolved`, kind: 'resolution', flagged: worst, verdict, channels });
      }
    }
  }

  // What needs someone to act comes first: a live release to roll back; then resolutions; then the rest.
  const order = (alert: PlannedAlert) =>
    alert.kind === 'flag' && alert.flagged === 'rollback' && alert.verdict.state === 'live' ? 0 : alert.kind === 'resolution' ? 1 : 2;
  candidates.sort((a, b) => order(a) - order(b) || b.verdict.release.finishedAt - a.verdict.release.finishedAt);

  const planned: PlannedAlert[] = [];
  for (const alert of candidates) {
    const release = alert.verdict.release.id;
    if (planned.length >= input.alerts.maxPerRun) {
      for (const channel of alert.channels) deferred.push({ release, kind: alert.kind, channel, reason: `at most ${input.alerts.maxPerRun} alerts per run (alerts.maxPerRun): next run` });
      continue;
    }
    let channels = alert.channels;
    if (alert.kind === 'flag' && cooldownMs > 0) {
      channels = channels.filter((channel) => {
        const last = lastFlag.get(`${alert.verdict.service}\u0000${channel}`);
        if (!last || last.release === release || input.now - last.at >= cooldownMs) return true;
        deferred.push({ release, kind: alert.kind, channel, reason: `cooldown: ${alert.verdict.service} was alerted at ${time(last.at)}; next alert from ${time(last.at + cooldownMs)}` });
        return false;
      });
      for (const channel of channels) lastFlag.set(`${alert.verdict.service}\u0000${channel}`, { release, at: input.now });
    }
    if (channels.length > 0) planned.push({ ...alert, channels });
  }
  return { planned, deferred };
}
