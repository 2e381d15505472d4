import { setTimeout as sleepFor } from 'node:timers/promises';
import { z } from 'zod';
import { ConfigError, SourceAuthError, SourceUnavailableError } from '../../errors.js';
import { registerSecret } from '../../log.js';
import type { Batch, CollectContext, Collector } from '../types.js';
import { DEFAULT_HEROKU_API_URL, HerokuClient, HerokuRequestError } from './client.js';
import { CommitResolver } from './commits.js';
import { readAppCursor, releasesRange, writeAppCursor } from './cursor.js';
import { ReleaseFold } from './releases.js';
import { Release } from './schema.js';
import { resolveTargets, type AppTarget, type TargetFailure } from './targets.js';

const names = z.array(z.string().trim().min(1, 'expected a non-empty name'));

/** `sources.heroku` in dora.config.json; `--app` and `--pipeline` are the flags. */
export const HerokuConfig = z
  .strictObject({
    /** Apps to collect (names or ids). */
    apps: names.optional(),
    /** Pipelines (names or ids): every app coupled to them is collected. */
    pipelines: names.optional(),
    /** Note config and add-on releases on the deployment that was live. Default true. */
    includeConfigReleases: z.boolean().default(true),
  })
  .refine((config) => (config.apps?.length ?? 0) + (config.pipelines?.length ?? 0) > 0, {
    message: 'name at least one app or pipeline: "apps": ["my-app"] or "pipelines": ["my-pipeline"] (flags --app, --pipeline)',
  });
export type HerokuConfig = z.output<typeof HerokuConfig>;

export interface HerokuCollectorOptions {
  /** Injected so tests assert back-off waits instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Releases per page (`max=` in the Range header). Default 1000, Heroku's maximum. */
  pageSize?: number;
  /** Default 24 h: a release phase that has not settled by then is passed over. */
  pendingTimeoutMs?: number;
}

/** More distinct slugs than this in a page of releases: read the builds instead of each slug. */
const PREFETCH_SLUGS = 20;


export function createHerokuCollector(options: HerokuCollectorOptions = {}): Collector<HerokuConfig> {
  return {
    id: 'heroku',
    description: 'Heroku releases: deployments, failed release phases and rollbacks of apps and pipelines (HEROKU_API_KEY)',
    configSchema: HerokuConfig,
    flags: [
      { flags: '--app <name...>', description: 'apps to collect', key: 'apps' },
      { flags: '--pipeline <name...>', description: 'pipelines whose apps to collect', key: 'pipelines' },
    ],
    // Naming apps or pipelines on the command line replaces the configured lists, so a one-off run does just that.
    mergeFlags(section, flags) {
      const base = section && typeof section === 'object' ? { ...(section as Record<string, unknown>) } : {};
      if (flags.apps !== undefined || flags.pipelines !== undefined) {
        delete base.apps;
        delete base.pipelines;
      }
      return { ...base, ...flags };
    },
    examples: [
      'HEROKU_API_KEY=... dora collect heroku --pipeline shop',
      'dora collect heroku --app shop-prod shop-staging',
    ],
    collect: (ctx) => collectHeroku(ctx, options),
  };
}

export const herokuCollector = createHerokuCollector();

async function* collectHeroku(ctx: CollectContext<HerokuConfig>, options: HerokuCollectorOptions): AsyncGenerator<Batch> {
  const token = ctx.env.HEROKU_API_KEY?.trim();
  if (!token) {
    throw new SourceAuthError('HEROKU_API_KEY is not set: the Heroku collector needs an API token', {
      suggestion: 'create one with `heroku authorizations:create --description dora-agent` and export HEROKU_API_KEY=<token>',
    });
  }
  registerSecret(token);
  const client = new HerokuClient({
    baseUrl: ctx.env.HEROKU_API_URL?.trim() || DEFAULT_HEROKU_API_URL,
    token,
    fetch: ctx.fetch,
    log: ctx.log,
    sleep: options.sleep ?? sleepFor,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const { targets, failures } = await resolveTargets(client, ctx.config, ctx.agent);
  const commits = new CommitResolver(client, ctx.log);
  let collected = 0;
  for (const target of targets) {
    try {
      yield* collectApp(ctx, client, commits, target, options);
      collected++;
    } catch (error) {
      // A 4xx on one app (gone, no access) must not stop the others; auth and outages stop all.
      if (!(error instanceof HerokuRequestError)) throw error;
      failures.push({ target: `app "${target.name}"`, reason: error.message, notFound: error.status === 404 });
    }
  }
  if (failures.length > 0) throw failureSummary(failures, collected);
}

async function* collectApp(
  ctx: CollectContext<HerokuConfig>,
  client: HerokuClient,
  commits: CommitResolver,
  target: AppTarget,
  options: HerokuCollectorOptions,
): AsyncGenerator<Batch> {
  const cursor = readAppCursor(await ctx.cursor(target.name), target.name, ctx.log);
  const fold = new ReleaseFold(cursor, {
    target,
    includeConfigReleases: ctx.config.includeConfigReleases,
    commitOf: (release, described) => commits.resolve(target, release, described),
    log: ctx.log,
    now: options.now ?? Date.now,
    pendingTimeoutMs: options.pendingTimeoutMs ?? 24 * 3_600_000,
  });
  const path = `/apps/${encodeURIComponent(target.name)}/releases`;
  for await (const page of client.pages(path, releasesRange(cursor, options.pageSize ?? 1000))) {
    const releases: Release[] = [];
    page.forEach((item, index) => {
      const parsed = Release.safeParse(item);
      if (parsed.success) releases.push(parsed.data);
      else {
        ctx.log.warn('heroku release skipped: unexpected payload', {
          app: target.name,
          version: (item as { version?: unknown } | null)?.version ?? `item ${index + 1} of the page`,
          reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'release'}: ${issue.message}`).join('; '),
        });
      }
    });
    releases.sort((a, b) => a.version - b.version);
    // Many slugs in a page (a first run over a long history): builds answer them in a few requests.
    if (new Set(releases.map((release) => release.slug?.id).filter(Boolean)).size > PREFETCH_SLUGS) await commits.prefetch(target);
    for (const release of releases) await fold.add(release);
    yield { events: fold.take(), cursor: { scope: target.name, value: writeAppCursor(fold.cursor) } };
    if (fold.stopped) return;
  }
}

function failureSummary(failures: TargetFailure[], collected: number): Error {
  const lines = failures.map((failure) => `${failure.target}: ${failure.reason}`).join('\n  ');
  const message = `Heroku: ${failures.length} ${failures.length === 1 ? 'app or pipeline' : 'apps or pipelines'} could not be collected (${collected} ${collected === 1 ? 'app was' : 'apps were'}):\n  ${lines}`;
  if (failures.every((failure) => failure.notFound)) {
    return new ConfigError(message, {
      suggestion: 'check the names under sources.heroku (or --app, --pipeline); `heroku apps` and `heroku pipelines` list what the token can see',
    });
  }
  return new SourceUnavailableError(message, { suggestion: 'check that the token may read these apps; the others were collected' });
}
