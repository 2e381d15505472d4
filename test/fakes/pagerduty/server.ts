import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, RequestLog, type RecordedRequest, type ScriptedAnswer } from '../scripted.js';

/**
 * A local server answering like the PagerDuty REST API v2 for what the collector reads
 * (PagerDuty/api-schema reference/REST/openapiv3.json): `GET /incidents` with `since`,
 * `until`, `sort_by=created_at:asc`, `service_ids[]`, `team_ids[]`, `include[]`, and
 * classic offset paging (`limit` at most 100, `more`, offset + limit at most 10,000);
 * `GET /incidents/{id}` and its `log_entries`; the token and v2 Accept headers checked; `{"error": …}` bodies;
 * scripted failures (429 with Retry-After, 5xx). Loopback only.
 */

export interface FakeService {
  id: string;
  name: string;
}

/** One incident as the fake stores it; `incident()` renders the API object. */
export interface FakeIncident {
  id: string;
  number: number;
  title: string;
  service: FakeService;
  created_at: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  resolved_at?: string;
  urgency: 'high' | 'low';
  priority?: string;
  teams?: string[];
  description?: string;
  /** Custom details of the triggering event. */
  details?: Record<string, unknown> | string;
  /** Leave `resolved_at` out of the payload (older API shape). */
  omitResolvedAt?: boolean;
  /** Leave `resolved_at` out and `last_status_change_at` null: only the log entries say when it was resolved. */
  omitTimes?: boolean;
}

export type { RecordedRequest, ScriptedAnswer } from '../scripted.js';

export interface FakePagerDuty {
  url: string;
  incidents: FakeIncident[];
  requests: RecordedRequest[];
  unexpected: RecordedRequest[];
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const priorities: Record<string, string> = { P1: 'PPRIO01', P2: 'PPRIO02', P3: 'PPRIO03', P4: 'PPRIO04', P5: 'PPRIO05' };

/** The API object of an incident, as `GET /incidents` lists it. */
export function renderIncident(incident: FakeIncident, base: string, includeTrigger: boolean): Record<string, unknown> {
  const resolved = incident.status === 'resolved' ? (incident.resolved_at ?? null) : null;
  const lastChange = resolved ?? incident.created_at;
  const serviceRef = {
    id: incident.service.id,
    type: 'service_reference',
    summary: incident.service.name,
    self: `${base}/services/${incident.service.id}`,
    html_url: `https://acme.pagerduty.com/service-directory/${incident.service.id}`,
  };
  return {
    id: incident.id,
    type: 'incident',
    summary: `[#${incident.number}] ${incident.title}`,
    self: `${base}/incidents/${incident.id}`,
    html_url: `https://acme.pagerduty.com/incidents/${incident.id}`,
    incident_number: incident.number,
    title: incident.title,
    description: incident.description ?? incident.title,
    created_at: incident.created_at,
    updated_at: lastChange,
    status: incident.status,
    incident_key: `key-${incident.id}`,
    service: serviceRef,
    assignments: [],
    acknowledgements: [],
    last_status_change_at: incident.omitTimes ? null : lastChange,
    ...(incident.omitResolvedAt || incident.omitTimes ? {} : { resolved_at: resolved }),
    urgency: incident.urgency,
    priority: incident.priority
      ? { id: priorities[incident.priority] ?? `PPRIO${incident.priority}`, type: 'priority', summary: incident.priority, self: `${base}/priorities/${incident.priority}` }
      : null,
    teams: (incident.teams ?? []).map((team) => ({ id: team, type: 'team_reference', summary: team })),
    alert_counts: { all: 1, triggered: incident.status === 'resolved' ? 0 : 1, resolved: incident.status === 'resolved' ? 1 : 0 },
    escalation_policy: { id: 'PESC001', type: 'escalation_policy_reference', summary: 'default' },
    ...(includeTrigger
      ? {
          first_trigger_log_entry: {
            id: `R${incident.id}`,
            type: 'trigger_log_entry',
            created_at: incident.created_at,
            channel: { type: 'api', summary: incident.title, details: incident.details ?? {} },
          },
        }
      : {}),
  };
}

const errorBody = (code: number, message: string) => ({ error: { code, message, errors: [message] } });

export async function startFakePagerDuty(options: { token: string; incidents?: FakeIncident[] }): Promise<FakePagerDuty> {
  const incidents: FakeIncident[] = options.incidents ?? [];
  const seen = new RequestLog();
  let base = '';

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { recorded, answer } = seen.take(url);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'ratelimit-limit': '960', 'ratelimit-remaining': '900', 'ratelimit-reset': '30', ...headers });
      res.end(JSON.stringify(body));
    };
    if (answer) {
      return send(answer.status, answer.body ?? errorBody(answer.status === 429 ? 2020 : 2001, answer.status === 429 ? 'Rate Limit Exceeded' : 'Internal error'), answer.headers);
    }
    if (req.headers.authorization !== `Token token=${options.token}`) return send(401, errorBody(2006, 'Invalid Token'));
    if (!/version=2/.test(req.headers.accept ?? '')) return send(400, errorBody(2001, 'Invalid Accept header'));
    if (req.method !== 'GET') return send(403, errorBody(2010, 'Access Denied'));
    const includeTrigger = url.searchParams.getAll('include[]').includes('first_trigger_log_entries');
    if (url.pathname === '/incidents') return send(...list(url.searchParams, includeTrigger));
    const log = /^\/incidents\/([^/]+)\/log_entries$/.exec(url.pathname);
    if (log) {
      const incident = incidents.find((candidate) => candidate.id === decodeURIComponent(log[1]!));
      if (!incident) return send(404, errorBody(2100, 'Not Found'));
      const entries = [{ id: `T${incident.id}`, type: 'trigger_log_entry', created_at: incident.created_at, summary: 'Triggered through the API' }];
      if (incident.status === 'resolved' && incident.resolved_at) entries.push({ id: `X${incident.id}`, type: 'resolve_log_entry', created_at: incident.resolved_at, summary: 'Resolved by alice' });
      return send(200, { log_entries: entries.reverse(), limit: 100, offset: 0, more: false, total: null });
    }
    const one = /^\/incidents\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const incident = incidents.find((candidate) => candidate.id === decodeURIComponent(one[1]!));
      return incident ? send(200, { incident: renderIncident(incident, base, includeTrigger) }) : send(404, errorBody(2100, 'Not Found'));
    }
    seen.unexpected.push(recorded);
    send(404, errorBody(2100, 'Not Found'));
  });

  function list(query: URLSearchParams, includeTrigger: boolean): [number, unknown] {
    const limit = Number(query.get('limit') ?? 25);
    const offset = Number(query.get('offset') ?? 0);
    if (!(limit >= 1 && limit <= 100)) return [400, errorBody(2001, 'Invalid Input Provided: limit must be between 1 and 100')];
    if (offset + limit > 10_000) return [400, errorBody(2001, 'Invalid Input Provided: Offset must be less than 10000')];
    if (query.get('sort_by') !== 'created_at:asc') return [400, errorBody(2001, 'fake: only sort_by=created_at:asc is modelled')];
    // `date_range=all` ignores since and until; otherwise both are needed, at most 6 months apart.
    const all = query.get('date_range') === 'all';
    const since = all ? -Infinity : Date.parse(query.get('since') ?? '');
    const until = all ? Infinity : Date.parse(query.get('until') ?? '');
    if (!all && (!Number.isFinite(since) || !Number.isFinite(until) || until - since > 183 * 86_400_000)) {
      return [400, errorBody(2001, 'Invalid Input Provided: the date range may not exceed 6 months')];
    }
    const statuses = query.getAll('statuses[]');
    const services = query.getAll('service_ids[]');
    const teams = query.getAll('team_ids[]');
    const urgencies = query.getAll('urgencies[]');
    const matching = incidents
      .filter((incident) => Date.parse(incident.created_at) >= since && Date.parse(incident.created_at) < until)
      .filter((incident) => services.length === 0 || services.includes(incident.service.id))
      .filter((incident) => teams.length === 0 || (incident.teams ?? []).some((team) => teams.includes(team)))
      .filter((incident) => urgencies.length === 0 || urgencies.includes(incident.urgency))
      .filter((incident) => statuses.length === 0 || statuses.includes(incident.status))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.number - b.number);
    const page = matching.slice(offset, offset + limit);
    return [200, { incidents: page.map((incident) => renderIncident(incident, base, includeTrigger)), limit, offset, more: offset + limit < matching.length, total: null }];
  }

  const listening = await listenOnLoopback(server);
  base = listening.base;
  return {
    url: base,
    incidents,
    requests: seen.requests,
    unexpected: seen.unexpected,
    script: seen.script,
    close: listening.close,
  };
}
