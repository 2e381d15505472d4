import type { ClickHouseClient } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { ConfigError, formatZodIssues } from '../errors.js';
import { nowIso } from '../events/time.js';
import type { Logger } from '../log.js';
import { emptyCounts, readCursor, recordRun, saveCursor, writeEvents, type KindCounts } from '../store/writer.js';
import type { Collector } from './types.js';

export interface RunOptions {
  agent: Config;
  /** The collector's section: the config file's `sources.<id>` merged with CLI flags. */
  section: unknown;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onBatch?: (written: KindCounts) => void;
}

export interface RunSummary {
  collector: string;
  batches: number;
  events: KindCounts;
}

/** Run one collector: validate its config, write each batch, then save the batch's cursor. */
export async function runCollector(client: ClickHouseClient, collector: Collector, options: RunOptions): Promise<RunSummary> {
  const parsed = collector.configSchema.safeParse(options.section ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration for the ${collector.id} collector:\n  ${formatZodIssues(parsed.error, `sources.${collector.id}`).join('\n  ')}`,
    );
  }
  const started_at = nowIso();
  const summary: RunSummary = { collector: collector.id, batches: 0, events: emptyCounts() };
  const finish = (status: 'ok' | 'failed', message: string) =>
    recordRun(client, {
      run_id: randomUUID(),
      source: collector.id,
      scope: '',
      started_at,
      finished_at: nowIso(),
      status,
      accepted: Object.values(summary.events).reduce((a, b) => a + b, 0),
      rejected: 0,
      message,
    });
  try {
    const batches = collector.collect({
      config: parsed.data,
      agent: options.agent,
      cursor: (scope) => readCursor(client, collector.id, scope),
      log: options.log,
      env: options.env ?? process.env,
      fetch: options.fetch ?? globalThis.fetch,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const batch of batches) {
      const written = await writeEvents(client, batch.events, { source: collector.id });
      for (const kind of Object.keys(written) as (keyof KindCounts)[]) summary.events[kind] += written[kind];
      if (batch.cursor) await saveCursor(client, collector.id, batch.cursor.scope, batch.cursor.value);
      summary.batches++;
      options.onBatch?.(summary.events);
    }
  } catch (error) {
    await finish('failed', (error as Error).message).catch(() => undefined);
    throw error;
  }
  await finish('ok', '');
  return summary;
}
