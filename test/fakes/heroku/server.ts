import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeHerokuData } from './types.js';

/**
 * A local server answering like the Heroku Platform API v3 for the endpoints the
 * collector reads: version header and bearer token checked, `Range` paging with 206
 * and `Next-Range`, `RateLimit-Remaining` on every answer, `{id, message}` errors,
 * and scripted failures (429 rate_limit, 5xx). Loopback only.
 * https://devcenter.heroku.com/articles/platform-api-reference
 */

export interface RecordedRequest {
  method: string;
  path: string;
  range: string | undefined;
}

export interface ScriptedAnswer {
  /** Applies to the first request whose path matches (default: any). */
  match?: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeHerokuOptions {
  token: string;
  /** Largest page the server hands out, whatever `max` asks (Heroku: 1000). */
  pageLimit?: number;
  /** RateLimit-Remaining before the first request; each request spends one. */
  remaining?: number;
}

export interface FakeHeroku {
  url: string;
  data: FakeHerokuData;
  requests: RecordedRequest[];
  /** Requests no route answered: a test expects none. */
  unexpected: RecordedRequest[];
  script(...answers: ScriptedAnswer[]): void;
  options: FakeHerokuOptions;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
const notFound = (what: string): Answer => ({ status: 404, body: { id: 'not_found', message: `Couldn't find that ${what}.` } });

export async function startFakeHeroku(data: FakeHerokuData, options: FakeHerokuOptions): Promise<FakeHeroku> {
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  const scripted: ScriptedAnswer[] = [];
  const state = { options: { ...options }, remaining: options.remaining ?? 4500 };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const recorded = { method: req.method ?? 'GET', path, range: req.headers.range };
    requests.push(recorded);
    state.remaining = Math.max(0, state.remaining - 1);
    const send = ({ status, body, headers }: Answer) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'RateLimit-Remaining': String(state.remaining), ...headers });
      res.end(JSON.stringify(body));
    };
    const index = scripted.findIndex((answer) => !answer.match || answer.match.test(path));
    if (index >= 0) {
      const [answer] = scripted.splice(index, 1);
      return send({ status: answer!.status, body: answer!.body ?? {}, ...(answer!.headers ? { headers: answer!.headers } : {}) });
    }
    if (!/version=3/.test(req.headers.accept ?? '')) {
      return send({ status: 400, body: { id: 'bad_request', message: 'Please specify a version along with Heroku\'s API MIME type.' } });
    }
    if (req.headers.authorization !== `Bearer ${state.options.token}`) {
      return send({ status: 401, body: { id: 'unauthorized', message: 'Invalid credentials provided.' } });
    }
    const answer = route(data, req.method ?? 'GET', path, req.headers.range, state.options.pageLimit ?? 1000);
    if (!answer) {
      unexpected.push(recorded);
      return send({ status: 404, body: { id: 'not_found', message: 'The requested API endpoint was not found.' } });
    }
    send(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    data,
    requests,
    unexpected,
    options: state.options,
    script: (...answers) => void scripted.push(...answers),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function route(data: FakeHerokuData, method: string, path: string, range: string | undefined, pageLimit: number): Answer | undefined {
  if (method !== 'GET') return undefined;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const findApp = (key: string) => data.apps.find((app) => app.id === key || app.name === key);
  const findPipeline = (key: string) => data.pipelines.find((pipeline) => pipeline.id === key || pipeline.name === key);

  if (parts[0] === 'apps' && parts[1]) {
    const app = findApp(parts[1]);
    if (!app) return notFound('app');
    if (parts.length === 2) return { status: 200, body: app };
    if (parts[2] === 'pipeline-couplings' && parts.length === 3) {
      const coupling = data.couplings.find((candidate) => candidate.app?.id === app.id);
      return coupling ? { status: 200, body: coupling } : notFound('pipeline coupling');
    }
    if (parts[2] === 'releases' && parts.length === 3) {
      return page(data.releases[app.name] ?? [], range, 'version', (release) => release.version, pageLimit);
    }
    if (parts[2] === 'slugs' && parts[3] && parts.length === 4) {
      const slug = data.slugs.find((candidate) => candidate.id === parts[3]);
      return slug ? { status: 200, body: slug } : notFound('slug');
    }
    if (parts[2] === 'builds' && parts.length === 3) {
      return page(data.builds[app.name] ?? [], range, 'id', (build) => build.id, pageLimit);
    }
    return undefined;
  }
  if (parts[0] === 'pipelines' && parts[1]) {
    const pipeline = findPipeline(parts[1]);
    if (!pipeline) return notFound('pipeline');
    if (parts.length === 2) return { status: 200, body: pipeline };
    if (parts[2] === 'pipeline-couplings' && parts.length === 3) {
      const couplings = data.couplings.filter((coupling) => coupling.pipeline?.id === pipeline.id);
      return page(couplings, range, 'id', (coupling) => coupling.id ?? '', pageLimit);
    }
  }
  return undefined;
}

/**
 * `Range: <field> [[]start]..[end][; max=N][, order=asc]`: at most `max` (default 200)
 * items from `start` (`]` = exclusive); 206 with `Next-Range` when more remain.
 * Only ascending order is modelled: it is all the collector asks for.
 */
function page<T>(items: T[], range: string | undefined, field: string, key: (item: T) => number | string, pageLimit: number): Answer {
  const parsed = parseRange(range ?? `${field} ..`);
  if (!parsed || parsed.field !== field || parsed.order !== 'asc') {
    return { status: 416, body: { id: 'requested_range_not_satisfiable', message: `Invalid Range header: ${range}` } };
  }
  const max = Math.min(parsed.max, pageLimit);
  const compare = (a: number | string, b: number | string) =>
    typeof a === 'number' ? a - Number(b) : String(a).localeCompare(String(b));
  const keyed = items.map((item) => ({ item, key: key(item) })).sort((a, b) => compare(a.key, b.key));
  const inRange = keyed.filter(({ key: value }) =>
    parsed.start === undefined ? true : parsed.exclusive ? compare(value, parsed.start) > 0 : compare(value, parsed.start) >= 0,
  );
  const chosen = inRange.slice(0, max);
  if (chosen.length === inRange.length) return { status: 200, body: chosen.map(({ item }) => item) };
  const last = chosen[chosen.length - 1]!.key;
  return {
    status: 206,
    body: chosen.map(({ item }) => item),
    headers: { 'Next-Range': `${field} ]${last}..; max=${parsed.max}, order=asc` },
  };
}

function parseRange(range: string): { field: string; start?: string; exclusive: boolean; max: number; order: string } | undefined {
  const match = /^(\w+)\s+(\]?)([\w-]*)\.\.([\w-]*)\s*(?:;\s*(.*))?$/.exec(range.trim());
  if (!match) return undefined;
  const settings = Object.fromEntries(
    (match[5] ?? '').split(',').map((part) => part.trim().split('=') as [string, string]).filter(([name]) => name),
  );
  const max = settings.max ? Number(settings.max) : 200;
  if (!Number.isInteger(max) || max < 1 || max > 1000) return undefined;
  return {
    field: match[1]!,
    ...(match[3] ? { start: match[3] } : {}),
    exclusive: match[2] === ']',
    max,
    order: settings.order ?? 'asc',
  };
}
