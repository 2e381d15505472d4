import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/connect.js';
import { tables } from '../src/store/schema.js';
import { runCli } from './helpers/cli.js';
import { countFinal, queryRows, tempDir } from './helpers/store.js';

/**
 * 100,000 lines. Every 100th line is malformed, cycling through five kinds of
 * mistake; every other line n is valid, its kind chosen by n % 4.
 */
const LINES = 100_000;
const sha = (n: number) => n.toString(16).padStart(40, '0');
const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();

const badLines = [
  { line: '{"kind":"deployment","id":"x", ', field: '', reason: /invalid JSON/ },
  { line: '{"kind":"deployment","id":"d-bad","environment":"production","finished_at":"2026-01-01T00:00:00Z","status":"success"}', field: 'service', reason: /required field is missing/ },
  { line: '{"kind":"pull_request","repo":"acme/api","number":"12","created_at":"2026-01-01T00:00:00Z"}', field: 'number', reason: /got "12"/ },
  { line: '{"kind":"incident","id":"i-bad","service":"api","opened_at":"last tuesday"}', field: 'opened_at', reason: /ISO-8601 time with a zone/ },
  { line: '{"kind":"deploy","id":"d-x"}', field: 'kind', reason: /unknown kind "deploy"/ },
];

function line(n: number): string {
  if (n % 100 === 0) return badLines[(n / 100) % badLines.length]!.line;
  switch (n % 4) {
    case 0:
      return JSON.stringify({ kind: 'commit', repo: 'acme/api', sha: sha(n), parents: [sha(n - 4)], author: 'ana', authored_at: at(n) });
    case 1:
      return JSON.stringify({ kind: 'pull_request', repo: 'acme/api', number: n, created_at: at(n), commits: [sha(n)] });
    case 2:
      // An offset, to check it is stored as UTC.
      return JSON.stringify({ kind: 'deployment', id: `d-${n}`, service: 'api', environment: 'production', status: 'success', finished_at: at(n).replace('Z', '+00:00') });
    default:
      return JSON.stringify({ kind: 'incident', id: `i-${n}`, service: 'api', opened_at: at(n), unknown_field: { nested: true } });
  }
}

describe('dora import of 100,000 events with 1% malformed lines', () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'store');
  const file = join(tmp.dir, 'events.ndjson');
  let first: Awaited<ReturnType<typeof runCli>>;
  let second: Awaited<ReturnType<typeof runCli>>;
  let store: Store;

  beforeAll(async () => {
    writeFileSync(file, Array.from({ length: LINES }, (_, i) => line(i + 1)).join('\n') + '\n');
    first = await runCli(['--home', home, 'import', file, '--format', 'json']);
    second = await runCli(['--home', home, 'import', file, '--format', 'json']);
    store = await openStore({ home });
  });
  afterAll(async () => {
    await store?.close();
    tmp.remove();
  });

  it('keeps every valid line and rejects the 1,000 bad ones with exit code 3', () => {
    // 1,000 multiples of 100 are bad; 99,000 lines are valid.
    expect(first.code).toBe(3);
    expect(first.json()).toMatchObject({ lines: 100_000, accepted: 99_000, rejected: 1_000 });
    // Kinds by n % 4 over 1..100,000 give 25,000 each; every multiple of 100 is also a multiple of 4,
    // so the 1,000 bad lines all come out of the commits.
    expect(first.json().events).toEqual({ commit: 24_000, pull_request: 25_000, deployment: 25_000, incident: 25_000 });
  });

  it('reports every bad line with its line number, field and reason', () => {
    const rejected = first.json().rejected_lines as { line: number; issues: { field: string; reason: string }[] }[];
    expect(rejected.map((entry) => entry.line)).toEqual(Array.from({ length: 1_000 }, (_, i) => (i + 1) * 100));
    for (const entry of rejected) {
      const expected = badLines[(entry.line / 100) % badLines.length]!;
      expect(entry.issues[0]!.field).toBe(expected.field);
      expect(entry.issues[0]!.reason).toMatch(expected.reason);
    }
  });

  it('stores every valid event once, and a second import changes no count', async () => {
    expect(second.code).toBe(3);
    expect(second.json().accepted).toBe(99_000);
    expect(await countFinal(store.client, tables.commits)).toBe(24_000);
    expect(await countFinal(store.client, tables.pullRequests)).toBe(25_000);
    expect(await countFinal(store.client, tables.deployments)).toBe(25_000);
    expect(await countFinal(store.client, tables.incidents)).toBe(25_000);
  });

  it('stores times with offsets as UTC and keeps unknown fields in extra', async () => {
    // Line 2 is a deployment finished at 2026-01-01T00:00:02+00:00; line 3 an incident with an unknown field.
    const [deployment] = await queryRows(store.client, `SELECT toString(finished_at) AS t FROM ${tables.deployments} FINAL WHERE id = {id:String}`, { id: 'd-2' });
    expect(deployment).toEqual({ t: '2026-01-01 00:00:02.000' });
    const [incident] = await queryRows(store.client, `SELECT extra FROM ${tables.incidents} FINAL WHERE id = {id:String}`, { id: 'i-3' });
    expect(incident).toEqual({ extra: { unknown_field: '{"nested":true}' } });
  });

  it('records both runs for dora doctor', async () => {
    const runs = await queryRows<{ n: number; accepted: number; rejected: number }>(
      store.client,
      `SELECT count() AS n, sum(accepted) AS accepted, sum(rejected) AS rejected FROM ${tables.runs} FINAL WHERE source = 'import'`,
    );
    expect(runs).toEqual([{ n: 2, accepted: 198_000, rejected: 2_000 }]);
  });
});
