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
  /** Flags of `dora collect <id>`; each has its twin in the config section. */
  readonly flags?: CollectorFlag[];
  /** Merge flag values over the config file's section. Default: a shallow merge over an object section. */
  mergeFlags?(section: unknown, flags: Record<string, unknown>): unknown;
  /** Lines for `dora collect <id> --help`, e.g. `dora collect git --repo . --service api --deploy-tags 'v*'`. */
  readonly examples?: string[];
  collect(ctx: CollectContext<SourceConfig>): AsyncIterable<Batch>;
}

export interface CollectorFlag {
  /** commander flags, e.g. `--repo <path>`; `<name...>` for repeatable values. */
  flags: string;
  description: string;
  /** The key of the config section this flag sets (camelCase, as in dora.config.json). */
  key: string;
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
