import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
}

/** A failure a test queues: answered instead of the real thing to the first request whose path matches. */
export interface ScriptedAnswer {
  match?: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What every fake REST server keeps: the requests it saw, the ones it did not model, and the queued failures. */
export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: RecordedRequest[] = [];
  private readonly scripted: ScriptedAnswer[] = [];

  script = (...answers: ScriptedAnswer[]): void => void this.scripted.push(...answers);

  /** Record a request and take the queued answer meant for it, if any. */
  take(url: URL): { recorded: RecordedRequest; answer: ScriptedAnswer | undefined } {
    const recorded = { path: url.pathname, query: url.searchParams };
    this.requests.push(recorded);
    const index = this.scripted.findIndex((answer) => !answer.match || answer.match.test(url.pathname));
    return { recorded, answer: index >= 0 ? this.scripted.splice(index, 1)[0] : undefined };
  }
}

/** Listen on a free loopback port; the base URL and a close function. */
export async function listenOnLoopback(server: Server): Promise<{ base: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
