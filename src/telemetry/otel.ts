import { diag, DiagLogLevel, metrics, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes as OtelAttributes } from '@opentelemetry/api';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { registerSecret, scrub } from '../log.js';
import type { DeploymentSpan } from './deployments.js';
import { otlpHeaderValues, type OtlpSignals } from './env.js';
import type { SpanScope, Telemetry, TelemetryOptions } from './index.js';
import { counters, gauges, jobDuration, type Attributes, type CounterName, type Observation } from './instruments.js';

const SCOPE = 'dora-agent';

/**
 * The SDK (apis.md §7) with exporters from the standard variables (protocol, headers,
 * timeouts, `OTEL_METRIC_EXPORT_INTERVAL`), limited to the signals that have an endpoint;
 * no logs, no auto-instrumentation, no propagators. Loaded only through startTelemetry.
 */
export function startOtel(signals: OtlpSignals, options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  for (const value of otlpHeaderValues(env)) registerSecret(value);
  // Export failures surface as warnings in our log, not on the console; fixed message, details as a field.
  diag.setLogger(
    {
      error: (message, ...args) => options.log.warn('opentelemetry export problem', { detail: scrub([message, ...args.map(String)].join(' ')).slice(0, 300) }),
      warn: (message, ...args) => options.log.warn('opentelemetry export problem', { detail: scrub([message, ...args.map(String)].join(' ')).slice(0, 300) }),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const sdk = new NodeSDK({
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.version': options.version })),
    // OTEL_SERVICE_NAME (read by the env detector) wins over our default name.
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: 'dora-agent' }),
    ...(signals.traces ? {} : { spanProcessors: [] }),
    ...(signals.metrics ? {} : { metricReaders: [] }),
    logRecordProcessors: [],
    instrumentations: [],
    textMapPropagator: null,
  });
  sdk.start();

  const tracer = trace.getTracer(SCOPE, options.version);
  const meter = metrics.getMeter(SCOPE, options.version);
  const counterOf = new Map(Object.entries(counters).map(([name, spec]) => [name, meter.createCounter(name, spec)]));
  const duration = meter.createHistogram(jobDuration.name, { unit: jobDuration.unit, description: jobDuration.description });
  let figures: Observation[] = [];
  for (const [name, spec] of Object.entries(gauges)) {
    meter.createObservableGauge(name, { unit: spec.unit, description: spec.description }).addCallback((result) => {
      for (const item of figures) if (item.gauge === name) result.observe(item.value, item.attributes);
    });
  }

  const scopeOf = (span: { setAttributes(attributes: OtelAttributes): unknown }): SpanScope => ({ setAttributes: (attributes) => void span.setAttributes(attributes) });

  return {
    signals,
    span: (name, attributes, work) =>
      tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          return await work(scopeOf(span));
        } catch (error) {
          const message = scrub((error as Error)?.message ?? String(error));
          span.recordException({ name: (error as Error)?.name ?? 'Error', message });
          span.setStatus({ code: SpanStatusCode.ERROR, message });
          throw error;
        } finally {
          span.end();
        }
      }),
    add: (counter: CounterName, value: number, attributes?: Attributes) => {
      if (value > 0) counterOf.get(counter)?.add(value, attributes);
    },
    jobDuration: (seconds, attributes) => duration.record(seconds, attributes),
    setFigures: (observations) => {
      figures = observations;
    },
    deployment: (item: DeploymentSpan) => {
      // Its own trace: a deploy is not part of the collection run that noticed it.
      const span = tracer.startSpan('deployment', { kind: SpanKind.INTERNAL, startTime: item.startMs, attributes: item.attributes, root: true }, ROOT_CONTEXT);
      span.addEvent('deployment', item.attributes, item.endMs);
      span.end(item.endMs);
    },
    shutdown: async (timeoutMs = 5000) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timed out'>((resolve) => {
        timer = setTimeout(() => resolve('timed out'), timeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([sdk.shutdown().then(() => 'flushed' as const, () => 'failed' as const), deadline]);
      clearTimeout(timer);
      return outcome;
    },
  };
}
