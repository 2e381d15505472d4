import { Config } from '../../../src/config/schema.js';
import type { Collector, Batch } from '../../../src/collectors/types.js';
import type { CanonicalEvent } from '../../../src/events/schemas.js';
import type { Logger } from '../../../src/log.js';

/**
 * Virtual time shared by the collector's injected sleep and the fake server's clock:
 * a sleep is recorded and moves the clock (so the server's rate-limit window resets),
 * without waiting. Sleeps that overlap (concurrent workers) move it once.
 */
export function virtualClock(start: number) {
  const state = { now: start, sleeps: [] as number[] };
  return {
    state,
    now: () => state.now,
    sleep: async (ms: number) => {
      const until = state.now + ms;
      state.sleeps.push(ms);
      await Promise.resolve();
      state.now = Math.max(state.now, until);
    },
  };
}

/** A logger that keeps its lines (fixed message + fields), for asserting warnings. */
export function memoryLog() {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  const log: Logger = { info: write('info'), warn: write('warn'), error: write('error') };
  return { log, lines, warnings: () => lines.filter((line) => line.startsWith('warn')) };
}

export interface CollectRun {
  events: CanonicalEvent[];
  batches: Batch[];
  error?: Error;
}

/**
 * Drive a collector the way the runner does, with cursors kept in a Map (the store's
 * own cursor handling is tested with the real engine in github-collect and github-resume).
 */
export async function collectOnce(
  collector: Collector<any>,
  options: { section: unknown; env: NodeJS.ProcessEnv; log: Logger; cursors?: Map<string, string>; agent?: Config },
): Promise<CollectRun> {
  const cursors = options.cursors ?? new Map<string, string>();
  const run: CollectRun = { events: [], batches: [] };
  try {
    const config = collector.configSchema.parse(options.section);
    for await (const batch of collector.collect({
      config, agent: options.agent ?? Config.parse({}), cursor: async (scope) => cursors.get(scope), log: options.log, env: options.env, fetch: globalThis.fetch,
    })) {
      run.batches.push(batch);
      run.events.push(...batch.events);
      if (batch.cursor) cursors.set(batch.cursor.scope, batch.cursor.value);
    }
  } catch (error) {
    run.error = error as Error;
  }
  return run;
}

/** Events of one kind, keyed by their natural id, for comparisons that ignore order. */
export function byId(events: CanonicalEvent[]): Map<string, CanonicalEvent> {
  const map = new Map<string, CanonicalEvent>();
  for (const event of events) {
    const key = event.kind === 'commit' ? `commit:${event.repo}:${event.sha}` : event.kind === 'pull_request' ? `pr:${event.repo}#${event.number}` : `${event.kind}:${event.id}`;
    map.set(key, event);
  }
  return map;
}
