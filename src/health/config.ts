import { z } from 'zod';

/** A ClickHouse identifier: table and database names go into SQL text (they cannot be query parameters). */
export const Identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected a ClickHouse identifier: letters, digits and underscores, not starting with a digit');

const Thresholds = (watch: number, rollback: number) =>
  z
    .strictObject({
      /** A ratio (new ÷ previous) at or above this makes the release `watch`. */
      watch: z.number().gt(1).default(watch),
      /** A ratio at or above this makes the release `rollback`. */
      rollback: z.number().gt(1).default(rollback),
    })
    .refine((value) => value.rollback >= value.watch, { message: 'rollback must be at least watch' })
    .prefault({});

/** How releases are watched (DESIGN.md §5). */
export const HealthSection = z.strictObject({
  /** Hours a release is watched after it finishes, until the next release at most. Default 2. */
  windowHours: z.number().positive().max(24 * 7).default(2),
  /** `dora check` evaluates the releases finished at most this many hours ago. Default 24. */
  lookbackHours: z.number().positive().max(24 * 90).default(24),
});
export type HealthSection = z.infer<typeof HealthSection>;

/**
 * The OpenTelemetry Collector's ClickHouse exporter tables in the same ClickHouse
 * (apis.md §6). No table: the telemetry signal is absent, never an error.
 */
export const TelemetrySection = z.strictObject({
  /** Compare the spans of each release with the previous one. Default true. */
  enabled: z.boolean().default(true),
  /** Database of the exporter's tables. Default `otel`. */
  database: Identifier.default('otel'),
  /** The exporter's traces table. Default `otel_traces`. */
  tracesTable: Identifier.default('otel_traces'),
  /** dora service name → OTel `ServiceName`, where they differ. Default: the same name. */
  serviceNames: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** Span kinds compared; an empty list compares every span. Default server spans (both spellings the exporter has used). */
  spanKinds: z.array(z.string().min(1)).default(['Server', 'SPAN_KIND_SERVER']),
  /** Spans each version needs in its window before it is compared. Default 200. */
  minSpans: z.number().int().positive().default(200),
  /** One-sided p-value below which an error-ratio rise is significant (two-proportion z-test). Default 0.01. */
  significance: z.number().gt(0).lt(0.5).default(0.01),
  /** A new error ratio below this is never flagged, however it compares. Default 0.01 (1 %). */
  minErrorRate: z.number().min(0).max(1).default(0.01),
  /** Error ratio, new ÷ previous. Default watch 1.5, rollback 3. */
  errorRatio: Thresholds(1.5, 3),
  /** p95 latency, new ÷ previous. Default watch 1.5, rollback 3. */
  latencyRatio: Thresholds(1.5, 3),
});
export type TelemetrySection = z.infer<typeof TelemetrySection>;
