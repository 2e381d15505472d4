import { createHash } from 'node:crypto';
import type { EventKind } from '../src/events/schemas.js';

/** Canonical event lines for the import's fast-path and insert-path tests: valid and invalid, seeded. */

// Real-looking SHAs, letters included, so an upper-case copy differs.
const sha = (n: number) => createHash('sha1').update(String(n)).digest('hex');
export const bases: Record<EventKind, Record<string, unknown>> = {
  commit: { kind: 'commit', repo: 'acme/api', sha: sha(1), parents: [sha(2), sha(3)], author: 'ana', authored_at: '2026-01-01T10:00:00Z', committed_at: '2026-01-01T10:00:01.250Z', message: 'Fix' },
  pull_request: {
    kind: 'pull_request', repo: 'acme/api', number: 7, title: 'Add', author: 'bo', created_at: '2026-01-01T09:00:00.000Z', first_review_at: '2026-01-01T09:30:00Z',
    merged_at: '2026-01-01T10:00:00Z', merge_sha: sha(4), base: 'main', commits: [sha(1)], labels: ['x'],
  },
  deployment: {
    kind: 'deployment', id: 'd-1', service: 'api', environment: 'production', finished_at: '2026-01-01T11:00:00Z', status: 'success', source: 'ci',
    repo: 'acme/api', sha: 'abcdef1', version: 'v1', started_at: '2026-01-01T10:55:00Z', rollback_of: 'd-0', url: 'https://ci/1',
  },
  incident: {
    kind: 'incident', id: 'i-1', service: 'api', opened_at: '2026-01-01T12:00:00Z', resolved_at: '2026-01-01T13:00:00Z', title: 'Down',
    severity: 'high', source: 'pd', deployment: 'd-1', url: 'https://pd/1',
  },
};

// Values a field may be given: valid ones of every type, and the mistakes people make.
const pool: unknown[] = [
  undefined, null, '', ' ', 'api', ' api', 'api ', 'x'.repeat(1000), 'x'.repeat(1001), 0, 1, -1, 1.5, 2 ** 53, 2 ** 53 - 1, '12', true, [], [sha(9)],
  [sha(9).toUpperCase()], ['abc'], [null], {}, { a: 1 }, sha(5), sha(5).toUpperCase(), createHash('sha256').update('x').digest('hex'), 'abcdef1', 'abcdef', 'ABCDEF1', 'g'.repeat(40),
  '2026-01-01T10:00:00Z', '2026-01-01T10:00:00.5Z', '2026-01-01T10:00:00.123Z', '2026-01-01T10:00:00.1234Z', '2026-01-01T10:00:00+01:00',
  '2026-01-01T10:00:00-05:30', '2026-01-01T10:00Z', '2026-01-01 10:00:00Z', '2026-01-01T10:00:00', '2026-02-30T00:00:00Z', '2024-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T10:60:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z',
  '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T23:59:60Z', '0000-01-01T00:00:00Z', '2026-1-1T00:00:00Z', 'last tuesday',
  'success', 'failure', 'in_progress', 'cancelled', 'SUCCESS', 'done', '\u00a0api', 'api\n',
];
const extraKeys = ['team', 'paths', 'extra', 'toString', 'constructor', '__proto__', 'hasOwnProperty'];

/** A small seeded generator (mulberry32), so a failure names a line that comes back every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function corpus(count: number): string[] {
  const next = random(11);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const kinds = Object.keys(bases) as EventKind[];
  const lines = kinds.map((kind) => JSON.stringify(bases[kind]));
  for (let i = 0; i < count; i++) {
    const kind = pick(kinds);
    const event: Record<string, unknown> = { ...bases[kind] };
    // Zero to three changes: a field given another value (or removed), an unknown field, an extra map.
    for (let changes = Math.floor(next() * 4); changes > 0; changes--) {
      const roll = next();
      if (roll < 0.6) event[pick(Object.keys(event).filter((key) => key !== 'kind'))] = pick(pool);
      else if (roll < 0.85) event[pick(extraKeys)] = pick(pool);
      else event.extra = pick([{ team: 'core', n: 2, nested: { a: [1] } }, 'text', null, [1], { __proto__: null, x: 'y' }]);
    }
    let line = JSON.stringify(event);
    // JSON.stringify drops a literal __proto__ key; put one in the text, as a hostile file would.
    if (next() < 0.02) line = line.replace(/^\{/, '{"__proto__":{"polluted":1},');
    lines.push(line);
  }
  return lines;
}

