/** Which signals go out over OTLP. Neither: no SDK is loaded at all. */
export interface OtlpSignals {
  traces: boolean;
  metrics: boolean;
}

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';
const listed = (value: string | undefined, item: string) => (value ?? '').split(',').map((entry) => entry.trim().toLowerCase()).includes(item);

/**
 * The standard variables decide: an OTLP endpoint for all signals or for one
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `…_TRACES_ENDPOINT`, `…_METRICS_ENDPOINT`),
 * `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER=none` to leave one out, and
 * `OTEL_SDK_DISABLED=true` for none. We check ourselves because the SDK, left to its
 * defaults, exports to localhost:4318 even when no endpoint is set (apis.md §7).
 */
export function otlpSignals(env: NodeJS.ProcessEnv): OtlpSignals {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return { traces: false, metrics: false };
  const everything = set(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return {
    traces: (everything || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) && !listed(env.OTEL_TRACES_EXPORTER, 'none'),
    metrics: (everything || set(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)) && !listed(env.OTEL_METRICS_EXPORTER, 'none'),
  };
}

/** `OTEL_EXPORTER_OTLP_HEADERS` (`api-key=…,x-team=…`) carries credentials: their values are secrets. */
export function otlpHeaderValues(env: NodeJS.ProcessEnv): string[] {
  const variables = [env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, env.OTEL_EXPORTER_OTLP_METRICS_HEADERS];
  return variables.flatMap((text) =>
    (text ?? '')
      .split(',')
      .map((pair) => pair.slice(pair.indexOf('=') + 1).trim())
      .filter((value) => value.length > 0)
      .flatMap((value) => {
        try {
          return [value, decodeURIComponent(value)];
        } catch {
          return [value];
        }
      }),
  );
}
