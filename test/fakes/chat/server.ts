import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { SlackMessage } from '../../../src/alerts/slack/block-kit.js';

/**
 * Local receivers that answer like the chat services (apis.md §4), loopback only:
 * - Slack incoming webhook `POST /services/T…/B…/…`: 200 `ok`; a payload that is not valid
 *   Block Kit gets 400 `invalid_payload`, as Slack answers;
 * - Teams Workflows webhook `POST /workflows/…`: 202 with an empty body; an envelope that is
 *   not a `message` with one Adaptive Card (1.4, only OpenUrl-style actions) gets 400;
 * - a generic webhook `POST /hook/…`: 200, headers kept for signature checks.
 * Scripted answers (429 with Retry-After, 5xx) are used first, in order, per channel.
 */

export type ChatChannel = 'slack' | 'teams' | 'webhook';

export interface Received {
  channel: ChatChannel;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: any;
  /** The status the fake answered. */
  status: number;
}

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const AdaptiveElement = z.looseObject({ type: z.enum(['TextBlock', 'FactSet', 'ColumnSet', 'Container', 'Image']) });
const TeamsEnvelope = z.strictObject({
  type: z.literal('message'),
  summary: z.string().optional(),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        contentUrl: z.null(),
        content: z.strictObject({
          $schema: z.literal('http://adaptivecards.io/schemas/adaptive-card.json'),
          type: z.literal('AdaptiveCard'),
          version: z.literal('1.4'),
          body: z.array(AdaptiveElement).min(1),
          actions: z.array(z.strictObject({ type: z.enum(['Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility']), title: z.string(), url: z.url() })).optional(),
        }),
      }),
    )
    .length(1),
});

export interface FakeChat {
  url: string;
  slackUrl: string;
  teamsUrl: string;
  webhookUrl: string;
  /** Accepted messages (2xx answers), per channel, in arrival order. */
  messages(channel: ChatChannel): Received[];
  /** Every request, accepted or not. */
  requests: Received[];
  /** Requests to a path no route answers: a test expects none. */
  unexpected: string[];
  script(channel: ChatChannel, ...answers: Scripted[]): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeChat(): Promise<FakeChat> {
  const requests: Received[] = [];
  const unexpected: string[] = [];
  const scripts: Record<ChatChannel, Scripted[]> = { slack: [], teams: [], webhook: [] };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const channel: ChatChannel | undefined = path.startsWith('/services/') ? 'slack' : path.startsWith('/workflows/') ? 'teams' : path.startsWith('/hook/') ? 'webhook' : undefined;
      const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(body);
      };
      if (!channel || req.method !== 'POST') {
        unexpected.push(`${req.method} ${path}`);
        return answer(404, 'no_service');
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const received: Received = { channel, path, headers: req.headers, raw, body, status: 0 };
      requests.push(received);
      const scripted = scripts[channel].shift();
      if (scripted) {
        received.status = scripted.status;
        return answer(scripted.status, scripted.body ?? '', scripted.headers);
      }
      if (req.headers['content-type'] !== 'application/json') {
        received.status = 400;
        return answer(400, 'invalid_payload');
      }
      if (channel === 'slack') {
        received.status = SlackMessage.safeParse(body).success ? 200 : 400;
        return answer(received.status, received.status === 200 ? 'ok' : 'invalid_payload');
      }
      if (channel === 'teams') {
        received.status = TeamsEnvelope.safeParse(body).success ? 202 : 400;
        return answer(received.status, received.status === 202 ? '' : 'Bad Request');
      }
      received.status = body === undefined ? 400 : 200;
      return answer(received.status, '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    slackUrl: `${url}/services/T0001/B0001/secretTokenXYZ`,
    teamsUrl: `${url}/workflows/abc123/triggers/manual/paths/invoke?sig=teamsSecretSig`,
    webhookUrl: `${url}/hook/secret-hook-path`,
    messages: (channel) => requests.filter((request) => request.channel === channel && request.status >= 200 && request.status < 300),
    requests,
    unexpected,
    script: (channel, ...answers) => void scripts[channel].push(...answers),
    reset: () => {
      requests.length = 0;
      unexpected.length = 0;
      for (const channel of Object.keys(scripts) as ChatChannel[]) scripts[channel].length = 0;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
