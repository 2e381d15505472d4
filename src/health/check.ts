import type { ClickHouseClient } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolveChannels, type ChannelProblem } from '../alerts/channels.js';
import type { HttpOptions } from '../alerts/http.js';
import { Ledger, type LedgerOptions } from '../alerts/ledger.js';
import { sendAlerts, type SendSummary } from '../alerts/send.js';
import type { Config } from '../config/schema.js';
import { deriveMetrics } from '../derive/run.js';
import { evaluateReleases, type Evaluation } from './evaluate.js';
import { saveVerdicts } from './store.js';

export interface CheckOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  services?: readonly string[];
  /** Evaluate releases finished at or after this. Default: now − `health.lookbackHours`. */
  since?: number;
  now?: number;
  dryRun?: boolean;
  http?: HttpOptions;
  ledger?: LedgerOptions;
  /** Who this agent is in the claims table. Default host:pid:random. */
  agent?: string;
  onProgress?: (phase: 'derive' | 'evaluate', done: number, total: number, item: string) => void;
}

export interface CheckResult {
  since: number;
  now: number;
  evaluation: Evaluation;
  channels: string[];
  problems: ChannelProblem[];
  alerts: SendSummary;
}

/**
 * `dora check`: bring derive up to date, judge the recent releases (and those whose
 * alert still waits for a resolution), store the verdicts, and send the alerts.
 */
export async function runCheck(client: ClickHouseClient, options: CheckOptions): Promise<CheckResult> {
  const now = options.now ?? Date.now();
  const since = options.since ?? now - options.config.health.lookbackHours * 3_600_000;
  await deriveMetrics(client, {
    config: options.config,
    ...(options.services ? { services: options.services } : {}),
    onProgress: (done, total, service) => options.onProgress?.('derive', done, total, service),
  });
  const { notifiers, problems } = resolveChannels(options.config.alerts, options.env ?? process.env);
  const ledger = new Ledger(client, options.agent ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, options.ledger);
  const include = await ledger.awaitingResolution();
  const evaluation = await evaluateReleases(client, {
    config: options.config,
    since,
    include,
    now,
    ...(options.services ? { services: options.services } : {}),
    onProgress: (done, total, release) => options.onProgress?.('evaluate', done, total, release),
  });
  if (!options.dryRun) await saveVerdicts(client, evaluation.scope, evaluation.verdicts);
  const alerts =
    notifiers.length > 0
      ? await sendAlerts(evaluation.verdicts, { ledger, notifiers, alerts: options.config.alerts, now, ...(options.http ? { http: options.http } : {}), ...(options.dryRun ? { dryRun: true } : {}) })
      : { sent: [], failed: [], deferred: [], busy: [] };
  return { since, now, evaluation, channels: notifiers.map((notifier) => notifier.id), problems, alerts };
}
