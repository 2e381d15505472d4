import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OTLP/HTTP receiver, loopback only, for the `http/json` protocol
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp): `POST /v1/traces` and
 * `POST /v1/metrics` with `application/json` bodies, answered 200 with an empty
 * partial success as a collector does; other content types get 415, other paths 404.
 * `hang()` makes it accept requests and never answer (an unreachable collector).
 */

export type AttributeValue = string | number | boolean | AttributeValue[] | null;
export type Attributes = Record<string, AttributeValue>;

export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  resource: Attributes;
  scope: string;
  status: { code: number; message: string };
  events: { name: string; timeMs: number; attributes: Attributes }[];
}

export interface ReceivedPoint {
  metric: string;
  unit: string;
  /** `sum` for counters, `gauge`, `histogram`. */
  type: 'sum' | 'gauge' | 'histogram';
  value: number;
  /** Histograms: the number of values recorded. */
  count?: number;
  attributes: Attributes;
  resource: Attributes;
  timeMs: number;
}

export interface FakeOtlp {
  url: string;
  requests: { path: string; contentType: string }[];
  spans(): ReceivedSpan[];
  points(): ReceivedPoint[];
  /** Stop answering: requests are read and left hanging. */
  hang(): void;
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}
type KeyValue = { key: string; value: AnyValue };

const valueOf = (value: AnyValue | undefined): AttributeValue => {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return null;
};
const attributesOf = (list: KeyValue[] | undefined): Attributes => Object.fromEntries((list ?? []).map((item) => [item.key, valueOf(item.value)]));
const millis = (nanos: string | number | undefined) => Number(BigInt(nanos ?? 0) / 1_000_000n);

function flattenSpans(body: any): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans: any) =>
    (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans: any) =>
      (scopeSpans.spans ?? []).map((span: any) => ({
        name: span.name,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        kind: span.kind,
        startMs: millis(span.startTimeUnixNano),
        endMs: millis(span.endTimeUnixNano),
        attributes: attributesOf(span.attributes),
        resource: attributesOf(resourceSpans.resource?.attributes),
        scope: scopeSpans.scope?.name ?? '',
        status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
        events: (span.events ?? []).map((event: any) => ({ name: event.name, timeMs: millis(event.timeUnixNano), attributes: attributesOf(event.attributes) })),
      })),
    ),
  );
}

function flattenPoints(body: any): ReceivedPoint[] {
  return (body.resourceMetrics ?? []).flatMap((resourceMetrics: any) =>
    (resourceMetrics.scopeMetrics ?? []).flatMap((scopeMetrics: any) =>
      (scopeMetrics.metrics ?? []).flatMap((metric: any) => {
        const type = metric.sum ? 'sum' : metric.gauge ? 'gauge' : metric.histogram ? 'histogram' : undefined;
        if (!type) return [];
        return (metric[type].dataPoints ?? []).map((point: any) => ({
          metric: metric.name,
          unit: metric.unit ?? '',
          type,
          value: type === 'histogram' ? Number(point.sum ?? 0) : Number(point.asDouble ?? point.asInt ?? 0),
          ...(type === 'histogram' ? { count: Number(point.count ?? 0) } : {}),
          attributes: attributesOf(point.attributes),
          resource: attributesOf(resourceMetrics.resource?.attributes),
          timeMs: millis(point.timeUnixNano),
        }));
      }),
    ),
  );
}

export async function startFakeOtlp(): Promise<FakeOtlp> {
  const requests: { path: string; contentType: string }[] = [];
  const bodies: { path: string; body: unknown }[] = [];
  let hanging = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const contentType = String(req.headers['content-type'] ?? '');
      requests.push({ path, contentType });
      if (hanging) return;
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || (path !== '/v1/traces' && path !== '/v1/metrics')) return answer(404, { code: 5, message: 'not found' });
      if (!contentType.startsWith('application/json')) return answer(415, { code: 3, message: 'this receiver reads http/json only' });
      try {
        bodies.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        return answer(400, { code: 3, message: 'invalid JSON' });
      }
      answer(200, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans: () => bodies.filter((item) => item.path === '/v1/traces').flatMap((item) => flattenSpans(item.body)),
    points: () => bodies.filter((item) => item.path === '/v1/metrics').flatMap((item) => flattenPoints(item.body)),
    hang: () => {
      hanging = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
