import type { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { CanonicalEvent } from '../events/schemas.js';
import type { Logger } from '../log.js';

/**
 * The collector contract. A collector knows one source: it pages through that
 * source, maps payloads to canonical events and yields them in batches, each with
 * the cursor up to which it is complete. It never touches the store, chat or the
 * scheduler; the runner saves each batch and then its cursor, so a crash resumes
 * where it stopped and a re-run only asks for what changed.
 */
export interface Collector<SourceConfig = unknown> {
  /** Equals the collector's folder name under src/collectors. */
  readonly id: string;
  readonly description: string;
  /** Validates the collector's own `sources.<id>` config section (and its CLI flags). */
  readonly configSchema: z.ZodType<SourceConfig>;
  collect(ctx: CollectContext<SourceConfig>): AsyncIterable<Batch>;
}

export interface CollectContext<SourceConfig> {
  config: SourceConfig;
  /** The whole agent config: the service catalog and the production environment names. */
  agent: Config;
  /** The cursor saved for a scope (a repository, an app) by an earlier run. */
  cursor(scope: string): Promise<string | undefined>;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Injected so tests need no global patching. */
  fetch: typeof fetch;
  signal?: AbortSignal;
}

export interface Batch {
  events: CanonicalEvent[];
  /** Saved after the events are written: the scope is complete up to `value`. */
  cursor?: { scope: string; value: string };
}
