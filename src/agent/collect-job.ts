import { runCollector } from '../collectors/runner.js';
import type { Batch, CollectContext, Collector } from '../collectors/types.js';
import { productionEnvironments } from '../derive/scope.js';
import { AgentError } from '../errors.js';
import type { DeploymentEvent } from '../events/schemas.js';
import { deploymentSpan } from '../telemetry/index.js';
import { instrumentedFetch, type FetchStats } from './fetch.js';
import type { JobResult, RunContext } from './types.js';

/** Deployments that finished longer ago than this are history being backfilled, not news for a trace backend. */
const DEPLOYMENT_SPAN_MAX_AGE_MS = 24 * 3_600_000;

const stopping = () => new AgentError('aborted', 'collection stopped: the agent is shutting down');

/** Resolve with the promise, or reject as soon as the signal fires. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(stopping());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopping());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The collector's batches, watched. On shutdown the agent stops pulling at once: the
 * runner has written every batch it was given (a write is never cut off, the wait for the
 * next page is), so the saved cursors stay true and the next run resumes from them.
 */
async function* watched(batches: AsyncIterable<Batch>, signal: AbortSignal, seen: (batch: Batch) => Promise<void>): AsyncGenerator<Batch> {
  const iterator = batches[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await abortable(iterator.next(), signal);
      if (next.done) {
        finished = true;
        return;
      }
      await seen(next.value);
      yield next.value;
    }
  } finally {
    // Never wait on a collector stuck in its own back-off after an abort.
    if (!finished) void iterator.return?.()?.catch(() => undefined);
  }
}

/** New production deployments of a batch: not yet in the store as a success. */
async function newProductionDeployments(ctx: RunContext, batch: Batch, production: Set<string>, announced: Set<string>): Promise<DeploymentEvent[]> {
  const candidates = batch.events.filter(
    (event): event is DeploymentEvent & { kind: 'deployment' } =>
      event.kind === 'deployment' && event.status === 'success' && production.has(event.environment.toLowerCase()) && !announced.has(event.id),
  );
  if (candidates.length === 0) return [];
  const result = await ctx.client.query({
    query: `SELECT id FROM deployments FINAL WHERE id IN {ids:Array(String)} AND status = 'success'`,
    query_params: { ids: candidates.map((event) => event.id) },
    format: 'JSONEachRow',
  });
  const known = new Set((await result.json<{ id: string }>()).map((row) => row.id));
  return candidates.filter((event) => !known.has(event.id));
}

/** Run one source in its own span, counting its events and API calls; new production deployments become spans. */
export async function collectSource(ctx: RunContext, collector: Collector, section: unknown): Promise<JobResult> {
  const stats: FetchStats = { calls: 0, rateLimited: 0 };
  const production = new Set(productionEnvironments(ctx.config));
  const announced = new Set<string>();
  const watching = ctx.telemetry.signals.traces || ctx.telemetry.signals.metrics;
  let fresh = 0;
  const seen = async (batch: Batch) => {
    if (!watching) return;
    for (const event of await newProductionDeployments(ctx, batch, production, announced)) {
      announced.add(event.id);
      fresh++;
      if (ctx.deploymentSpans && Date.parse(event.finished_at) >= ctx.now() - DEPLOYMENT_SPAN_MAX_AGE_MS) ctx.telemetry.deployment(deploymentSpan(event));
    }
  };
  const observed: Collector = Object.create(collector, {
    collect: { value: (collectContext: CollectContext<unknown>) => watched(collector.collect(collectContext), ctx.signal, seen) },
  });
  const source = collector.id;
  return ctx.telemetry.span(`source ${source}`, { 'dora.source': source }, async (span) => {
    // Cumulative counts from the runner after each batch: known even when a later page fails.
    let written: Record<string, number> = {};
    const counts = () => ({
      'dora.api.calls': stats.calls,
      'dora.api.rate_limited': stats.rateLimited,
      ...Object.fromEntries(Object.entries(written).map(([kind, count]) => [`dora.events.${kind}`, count])),
    });
    try {
      const summary = await runCollector(ctx.client, observed, {
        agent: ctx.config,
        section,
        log: ctx.log,
        env: ctx.env,
        fetch: instrumentedFetch(ctx.fetch, stats, ctx.signal),
        signal: ctx.signal,
        onBatch: (counts) => {
          written = { ...counts };
        },
      });
      const result: JobResult = { batches: summary.batches, api_calls: stats.calls, rate_limited: stats.rateLimited };
      // Only looked for when telemetry is on (it costs a query per batch with deployments).
      if (watching) result.new_production_deployments = fresh;
      for (const [kind, count] of Object.entries(summary.events)) result[`${kind}s`] = count;
      span.setAttributes({ 'dora.batches': summary.batches });
      return result;
    } finally {
      span.setAttributes(counts());
      for (const [kind, count] of Object.entries(written)) ctx.telemetry.add('dora.agent.events_collected', count, { source, kind });
      ctx.telemetry.add('dora.agent.api_calls', stats.calls, { source });
      ctx.telemetry.add('dora.agent.rate_limit_waits', stats.rateLimited, { source });
      ctx.telemetry.add('dora.agent.deployments_seen', fresh, { source });
    }
  });
}
