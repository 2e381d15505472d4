import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { schema as github } from '@octokit/graphql-schema';
import { buildClientSchema, execute, getOperationAST, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Quirks } from './connection.js';
import { queryCost } from './cost.js';
import type { FakeOrg } from './model.js';
import { rootValue } from './resolvers.js';

/**
 * A local server that answers GitHub's GraphQL API (POST /graphql, or /api/graphql as
 * on GitHub Enterprise Server) for a generated organisation: every query is validated
 * against GitHub's published schema and executed over the organisation; each answer
 * is charged by GitHub's point formula against an hourly budget with the x-ratelimit
 * headers. Faults queued with `inject` answer instead, the way GitHub fails.
 */

let cachedSchema: GraphQLSchema | undefined;
const githubSchema = () => (cachedSchema ??= buildClientSchema(github.json as never));

export interface Fault {
  /** Only for this operation (RepoSync, PullsPage, ...); any when omitted. */
  operation?: string;
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON, a string as HTML. */
  body: unknown;
}

export interface RequestRecord {
  operation: string;
  variables: Record<string, unknown>;
  status: number;
  /** Points charged (0 for a fault or a refused request). */
  cost: number;
}

export interface FakeGithubOptions {
  org: FakeOrg;
  token?: string;
  /** The server's clock; share it with the collector's injected sleep. */
  now?: () => number;
  /** Points per hour (5,000 for a user token). */
  limit?: number;
  quirks?: Quirks;
  /** GitHub Enterprise Server with rate limiting off: `rateLimit` says 0 of 0, reset 0001-01-01, and no headers. */
  ghesNoRateLimit?: boolean;
}

export class FakeGithub {
  readonly requests: RequestRecord[] = [];
  private readonly faults: { fault: Fault; times: number }[] = [];
  private remaining: number;
  private resetAt: number;
  private server!: Server;
  url = '';

  private constructor(readonly options: FakeGithubOptions) {
    this.remaining = options.limit ?? 5000;
    this.resetAt = this.now() + 3_600_000;
  }

  static async start(options: FakeGithubOptions): Promise<FakeGithub> {
    const fake = new FakeGithub(options);
    githubSchema();
    fake.server = createServer((request, response) => void fake.handle(request, response));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Answer the next `times` matching requests with this fault. */
  inject(fault: Fault, times = 1): void {
    this.faults.push({ fault, times });
  }

  /** Spend points as if other clients shared the token. */
  setRemaining(remaining: number): void {
    this.remaining = remaining;
  }

  operations(): string[] {
    return this.requests.map((request) => request.operation);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private rateHeaders(): Record<string, string> {
    if (this.options.ghesNoRateLimit) return {};
    const limit = this.options.limit ?? 5000;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-used': String(limit - this.remaining),
      'x-ratelimit-reset': String(Math.floor(this.resetAt / 1000)),
      'x-ratelimit-resource': 'graphql',
    };
  }

  private send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const json = typeof body !== 'string';
    response.writeHead(status, {
      'content-type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
      'x-github-request-id': `FAKE:${this.requests.length}`,
      ...headers,
    });
    response.end(json ? JSON.stringify(body) : body);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const record = (operation: string, variables: Record<string, unknown>, status: number, cost = 0) =>
      this.requests.push({ operation, variables, status, cost });
    if (request.method !== 'POST' || !/^(\/api)?\/graphql$/.test(request.url ?? '')) {
      record('(not graphql)', {}, 404);
      return this.send(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
    const token = this.options.token ?? 'test-token';
    if (!new RegExp(`^(bearer|token) ${token}$`, 'i').test(request.headers.authorization ?? '')) {
      record('(unauthorised)', {}, 401);
      return this.send(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' });
    }
    const { query, variables = {} } = JSON.parse(raw) as { query: string; variables?: Record<string, unknown> };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      record('(syntax error)', variables, 200);
      return this.send(response, 200, { errors: [{ message: (error as Error).message }] });
    }
    const operation = getOperationAST(document)?.name?.value ?? '(anonymous)';

    const queued = this.faults.find((item) => item.times > 0 && (!item.fault.operation || item.fault.operation === operation));
    if (queued) {
      queued.times--;
      record(operation, variables, queued.fault.status);
      return this.send(response, queued.fault.status, queued.fault.body, queued.fault.headers);
    }
    const invalid = validate(githubSchema(), document);
    if (invalid.length) {
      record(operation, variables, 200);
      return this.send(response, 200, { errors: invalid.map((error) => ({ message: error.message, locations: error.locations })) });
    }

    if (this.now() >= this.resetAt) {
      this.remaining = this.options.limit ?? 5000;
      this.resetAt = this.now() + 3_600_000;
    }
    const { points } = queryCost(document, variables);
    if (!this.options.ghesNoRateLimit && this.remaining < points) {
      record(operation, variables, 200);
      return this.send(response, 200, { data: null, errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message: 'API rate limit exceeded for user ID 1.' }] }, { ...this.rateHeaders(), 'x-ratelimit-remaining': '0' });
    }
    if (!this.options.ghesNoRateLimit) this.remaining -= points;
    const limit = this.options.limit ?? 5000;
    const rateLimit = () =>
      this.options.ghesNoRateLimit
        ? { cost: points, limit: 0, remaining: 0, used: 0, resetAt: '0001-01-01T00:00:00Z', nodeCount: 0 }
        : { cost: points, limit, remaining: this.remaining, used: limit - this.remaining, resetAt: new Date(this.resetAt).toISOString(), nodeCount: 0 };
    const result = await execute({ schema: githubSchema(), document, rootValue: rootValue(this.options.org, this.options.quirks ?? {}, rateLimit), variableValues: variables });
    record(operation, variables, 200, points);
    const body: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors?.length) {
      body.errors = result.errors.map((error) => ({
        type: (error.originalError as { type?: string } | undefined)?.type,
        path: error.path,
        locations: error.locations,
        message: error.message,
      }));
    }
    this.send(response, 200, body, this.rateHeaders());
  }
}
