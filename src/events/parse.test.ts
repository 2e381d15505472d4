import { describe, expect, it } from 'vitest';
import { eventsJsonSchema } from './json-schema.js';
import { parseEvent, parseEventLine } from './parse.js';

const deployment = {
  kind: 'deployment',
  id: 'api-v42',
  service: 'api',
  environment: 'production',
  status: 'success',
  finished_at: '2026-03-01T10:00:00Z',
};

describe('parseEvent', () => {
  it.each([
    ['Z', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000Z'],
    ['a positive offset', '2026-03-01T11:30:00+01:30', '2026-03-01T10:00:00.000Z'],
    ['a negative offset across midnight', '2026-02-28T23:00:00-11:00', '2026-03-01T10:00:00.000Z'],
    ['microseconds (kept to the millisecond)', '2026-03-01T10:00:00.123456Z', '2026-03-01T10:00:00.123Z'],
  ])('stores a time with %s as UTC', (_, given, stored) => {
    const result = parseEvent({ ...deployment, finished_at: given });
    expect(result).toMatchObject({ ok: true, event: { finished_at: stored } });
  });

  it.each([
    ['no zone', { finished_at: '2026-03-01T10:00:00' }, 'finished_at', /ISO-8601 time with a zone.*got "2026-03-01T10:00:00"/],
    ['epoch milliseconds', { finished_at: 1772359200000 }, 'finished_at', /got 1772359200000/],
    ['a day that does not exist', { finished_at: '2026-02-30T10:00:00Z' }, 'finished_at', /ISO-8601/],
    ['an unknown status', { status: 'deployed' }, 'status', /expected one of success, failure, in_progress, cancelled, got "deployed"/],
    ['a blank service', { service: '  ' }, 'service', /non-empty/],
    ['a short sha that is not hex', { sha: 'xyz1234' }, 'sha', /hex/],
    ['a missing id', { id: undefined }, 'id', /required field is missing/],
  ])('rejects %s, naming the field', (_, change, field, reason) => {
    const result = parseEvent({ ...deployment, ...change });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.field).toBe(field);
    expect(result.issues[0]!.reason).toMatch(reason);
  });

  it('names the element of an array that is wrong', () => {
    const result = parseEvent({ kind: 'pull_request', repo: 'acme/api', number: 7, created_at: '2026-03-01T10:00:00Z', commits: ['a'.repeat(40), 'nope'] });
    expect(result).toEqual({ ok: false, issues: [{ field: 'commits.1', reason: expect.stringMatching(/full commit SHA.*got "nope"/) }] });
  });

  it('lower-cases SHAs, turns null optionals into absent fields and keeps unknown fields in extra', () => {
    const result = parseEvent({ ...deployment, sha: 'ABCDEF1', url: null, pipeline: { id: 3 }, extra: { team: 'core' } });
    expect(result).toEqual({
      ok: true,
      event: { ...deployment, finished_at: '2026-03-01T10:00:00.000Z', sha: 'abcdef1', extra: { pipeline: '{"id":3}', team: 'core' } },
    });
  });

  it('rejects a line that is not JSON, not an object, or of an unknown kind', () => {
    expect(parseEventLine('{"kind":')).toMatchObject({ ok: false, issues: [{ field: '', reason: expect.stringMatching(/^invalid JSON/) }] });
    expect(parseEventLine('[]')).toMatchObject({ ok: false, issues: [{ field: '', reason: expect.stringMatching(/JSON object/) }] });
    expect(parseEventLine('{"id":"x"}')).toMatchObject({ ok: false, issues: [{ field: 'kind', reason: expect.stringMatching(/^missing/) }] });
    expect(parseEventLine('{"kind":"release"}')).toMatchObject({ ok: false, issues: [{ field: 'kind', reason: expect.stringMatching(/unknown kind "release"/) }] });
  });
});

describe('eventsJsonSchema', () => {
  it('describes the four kinds with their required fields', () => {
    const schema = eventsJsonSchema() as { oneOf: { properties: { kind: { const: string } }; required: string[] }[] };
    const byKind = Object.fromEntries(schema.oneOf.map((shape) => [shape.properties.kind.const, [...shape.required].sort()]));
    expect(byKind).toEqual({
      commit: ['authored_at', 'kind', 'repo', 'sha'],
      pull_request: ['created_at', 'kind', 'number', 'repo'],
      deployment: ['environment', 'finished_at', 'id', 'kind', 'service', 'status'],
      incident: ['id', 'kind', 'opened_at', 'service'],
    });
  });
});
