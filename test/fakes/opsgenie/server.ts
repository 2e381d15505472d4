import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, RequestLog, type RecordedRequest, type ScriptedAnswer } from '../scripted.js';

/**
 * A local server answering like the Opsgenie REST API for what the collector reads
 * (opsgenie-oas.json): `GET /v2/alerts` (BaseAlert items, no details), `GET
 * /v2/alerts/{id}` (Alert: entity, description, details), `GET /v1/incidents` and
 * `/v1/incidents/{id}`; `query=createdAt>=<epoch ms>` or `status:open`, `[ AND (tag:NAME)]`, offset paging
 * with `limit` at most 100 and `paging.next`, `sort=createdAt&order=asc`; the GenieKey
 * checked; `{message, took, requestId}` errors; scripted failures (429 with
 * X-RateLimit-State: THROTTLED). Loopback only.
 */

export interface FakeAlert {
  id: string;
  tinyId: string;
  message: string;
  status: 'open' | 'closed' | 'resolved';
  createdAt: string;
  /** Milliseconds from creation to close (report.closeTime). */
  closeTime?: number;
  updatedAt?: string;
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
  tags?: string[];
  entity?: string;
  description?: string;
  details?: Record<string, string>;
  /** Incidents only. */
  impactedServices?: string[];
}

export type { RecordedRequest, ScriptedAnswer } from '../scripted.js';

export interface FakeOpsgenie {
  url: string;
  alerts: FakeAlert[];
  incidents: FakeAlert[];
  requests: RecordedRequest[];
  unexpected: RecordedRequest[];
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

function renderAlert(alert: FakeAlert, full: boolean): Record<string, unknown> {
  const closed = alert.status !== 'open';
  return {
    id: alert.id,
    tinyId: alert.tinyId,
    alias: `alias-${alert.id}`,
    message: alert.message,
    status: alert.status,
    acknowledged: closed,
    isSeen: true,
    tags: alert.tags ?? [],
    snoozed: false,
    count: 1,
    lastOccurredAt: alert.createdAt,
    createdAt: alert.createdAt,
    updatedAt: alert.updatedAt ?? alert.createdAt,
    source: 'Datadog',
    owner: '',
    priority: alert.priority,
    responders: [{ type: 'team', id: 'team-1' }],
    integration: { id: 'int-1', name: 'Datadog', type: 'Datadog' },
    report: closed && alert.closeTime !== undefined ? { ackTime: 60_000, closeTime: alert.closeTime, closedBy: 'alice' } : {},
    ...(full ? { actions: [], entity: alert.entity ?? '', description: alert.description ?? '', details: alert.details ?? {} } : {}),
  };
}

function renderIncident(incident: FakeAlert): Record<string, unknown> {
  return {
    id: incident.id,
    tinyId: incident.tinyId,
    message: incident.message,
    description: incident.description ?? '',
    status: incident.status,
    tags: incident.tags ?? [],
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt ?? incident.createdAt,
    priority: incident.priority,
    ownerTeam: 'team-1',
    responders: [],
    extraProperties: incident.details ?? {},
    impactedServices: incident.impactedServices ?? [],
  };
}

export async function startFakeOpsgenie(options: { key: string; alerts?: FakeAlert[]; incidents?: FakeAlert[] }): Promise<FakeOpsgenie> {
  const alerts = options.alerts ?? [];
  const incidents = options.incidents ?? [];
  const seen = new RequestLog();
  let base = '';

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { recorded, answer } = seen.take(url);
    const send = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-RateLimit-State': status === 429 ? 'THROTTLED' : 'OK', ...headers });
      res.end(JSON.stringify({ ...body, took: 0.01, requestId: randomUUID() }));
    };
    if (answer) {
      return send(answer.status, (answer.body as Record<string, unknown>) ?? { message: answer.status === 429 ? 'You are making too many requests!' : 'Internal Server Error' }, answer.headers);
    }
    if (req.headers.authorization !== `GenieKey ${options.key}`) return send(401, { message: 'Could not authenticate' });
    const list = url.pathname === '/v2/alerts' ? alerts : url.pathname === '/v1/incidents' ? incidents : undefined;
    if (list) {
      const page = listPage(list, url.searchParams, url.pathname);
      if ('error' in page) return send(422, { message: page.error });
      return send(200, page);
    }
    const one = /^\/(v2\/alerts|v1\/incidents)\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const source = one[1] === 'v2/alerts' ? alerts : incidents;
      const found = source.find((item) => item.id === decodeURIComponent(one[2]!));
      if (!found) return send(404, { message: 'Alert with id does not exist' });
      return send(200, { data: one[1] === 'v2/alerts' ? renderAlert(found, true) : renderIncident(found) });
    }
    seen.unexpected.push(recorded);
    send(404, { message: 'not found' });
  });

  function listPage(items: FakeAlert[], query: URLSearchParams, path: string): { error: string } | Record<string, unknown> {
    const limit = Number(query.get('limit') ?? 20);
    const offset = Number(query.get('offset') ?? 0);
    if (!(limit >= 1 && limit <= 100)) return { error: 'limit should be between 1 and 100' };
    if (query.get('sort') !== 'createdAt' || query.get('order') !== 'asc') return { error: 'fake: only sort=createdAt&order=asc is modelled' };
    const match = /^(?:createdAt>=(\d+)|status:(open))(?: AND \(tag:([^)]+)\))?$/.exec(query.get('query') ?? '');
    if (!match) return { error: `Invalid query: ${query.get('query')}` };
    const from = match[1] ? Number(match[1]) : -Infinity;
    const onlyOpen = match[2] === 'open';
    const tag = match[3];
    const matching = items
      .filter((item) => Date.parse(item.createdAt) >= from && (!onlyOpen || item.status === 'open') && (!tag || (item.tags ?? []).includes(tag)))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const page = matching.slice(offset, offset + limit);
    const link = (at: number) => `${base}${path}?${new URLSearchParams({ query: query.get('query')!, offset: String(at), limit: String(limit), sort: 'createdAt', order: 'asc' })}`;
    return {
      data: page.map((item) => (path === '/v2/alerts' ? renderAlert(item, false) : renderIncident(item))),
      paging: { first: link(0), last: link(Math.max(0, matching.length - limit)), ...(offset + limit < matching.length ? { next: link(offset + limit) } : {}) },
    };
  }

  const listening = await listenOnLoopback(server);
  base = listening.base;
  return {
    url: base,
    alerts,
    incidents,
    requests: seen.requests,
    unexpected: seen.unexpected,
    script: seen.script,
    close: listening.close,
  };
}
