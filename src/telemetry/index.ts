import type { Logger } from '../log.js';
import type { DeploymentSpan } from './deployments.js';
import { otlpSignals, type OtlpSignals } from './env.js';
import type { Attributes, CounterName, Observation } from './instruments.js';

export { otlpSignals, type OtlpSignals } from './env.js';
export { deploymentSpan, type DeploymentSpan } from './deployments.js';
export { counters, gauges, figureObservations, type Attributes, type CounterName, type Observation } from './instruments.js';

/** The span a piece of work runs in: attributes can be added as the counts come in. */
export interface SpanScope {
  setAttributes(attributes: Attributes): void;
}

/** What the agent reports about itself. Without OTLP variables it is the no-op below, and no SDK is loaded. */
export interface Telemetry {
  readonly signals: OtlpSignals;
  /** Run `work` in a span, a child of the current one; a thrown error marks the span failed and is rethrown. */
  span<T>(name: string, attributes: Attributes, work: (span: SpanScope) => Promise<T>): Promise<T>;
  add(counter: CounterName, value: number, attributes?: Attributes): void;
  jobDuration(seconds: number, attributes: Attributes): void;
  /** Replace the DORA figures the gauges report. */
  setFigures(observations: Observation[]): void;
  /** A production deployment as its own trace. */
  deployment(span: DeploymentSpan): void;
  /** Flush and stop; gives up after `timeoutMs` so an unreachable collector cannot hold the process. */
  shutdown(timeoutMs?: number): Promise<'flushed' | 'timed out' | 'failed' | 'off'>;
}

const noScope: SpanScope = { setAttributes: () => undefined };

export const noTelemetry: Telemetry = {
  signals: { traces: false, metrics: false },
  span: (_name, _attributes, work) => work(noScope),
  add: () => undefined,
  jobDuration: () => undefined,
  setFigures: () => undefined,
  deployment: () => undefined,
  shutdown: async () => 'off',
};

export interface TelemetryOptions {
  env?: NodeJS.ProcessEnv;
  /** `service.version` of the agent's resource. */
  version: string;
  log: Logger;
}

/**
 * Start OpenTelemetry when an OTLP endpoint is configured. The SDK is imported only
 * then: without the variables nothing is loaded, nothing exported, nothing slowed.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const signals = otlpSignals(options.env ?? process.env);
  if (!signals.traces && !signals.metrics) return noTelemetry;
  const { startOtel } = await import('./otel.js');
  return startOtel(signals, options);
}
