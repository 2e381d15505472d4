import type { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'node:crypto';
import { parseEvent } from '../../../src/events/parse.js';
import type { CanonicalEvent } from '../../../src/events/schemas.js';
import { writeEvents } from '../../../src/store/writer.js';

/** Canonical events for release-health tests, with times counted back from a fixed `now`. */

export type Raw = Record<string, unknown>;

export const sha = (label: string) => createHash('sha1').update(label).digest('hex');

export const ago = (now: number, minutes: number) => new Date(now - minutes * 60_000).toISOString();

/** A Heroku release as the Heroku collector writes it: id `heroku:<app>:v<N>`, version `vN`. */
export function herokuRelease(app: string, service: string, version: number, finishedAt: string, fields: { sha?: string; rollbackOf?: string; status?: string; [extra: string]: string | undefined } = {}): Raw {
  const { sha: commit, rollbackOf, status, ...extra } = fields;
  return {
    ...extra,
    kind: 'deployment',
    id: `heroku:${app}:v${version}`,
    service,
    environment: 'production',
    status: status ?? 'success',
    finished_at: finishedAt,
    source: 'heroku',
    version: `v${version}`,
    sha: commit,
    url: `https://dashboard.heroku.com/apps/${app}/activity`,
    rollback_of: rollbackOf,
    heroku_app: app,
  };
}

export function deploy(id: string, service: string, finishedAt: string, fields: Raw = {}): Raw {
  return { kind: 'deployment', id, service, environment: 'production', status: 'success', finished_at: finishedAt, source: 'ci', ...fields };
}

export function incident(id: string, service: string, openedAt: string, fields: Raw = {}): Raw {
  return { kind: 'incident', id, service, opened_at: openedAt, source: 'pagerduty', ...fields };
}

export function commit(repo: string, label: string, parents: string[], authoredAt: string, fields: Raw = {}): Raw {
  return { kind: 'commit', repo, sha: sha(label), parents: parents.map(sha), author: 'dev', authored_at: authoredAt, message: label, ...fields };
}

export const toNdjson = (events: Raw[]) => `${events.map((event) => JSON.stringify(event)).join('\n')}\n`;

/** Validate like `dora import` and write through the store's writer. */
export async function load(client: ClickHouseClient, raws: Raw[]): Promise<void> {
  const events: CanonicalEvent[] = raws.map((raw, index) => {
    const parsed = parseEvent(raw);
    if (!parsed.ok) throw new Error(`fixture event ${index} is invalid: ${JSON.stringify(parsed.issues)}`);
    return parsed.event;
  });
  await writeEvents(client, events, { source: 'test' });
}
