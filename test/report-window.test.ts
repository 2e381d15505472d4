import { describe, expect, it } from 'vitest';
import { resolveWindow } from '../src/reports/window.js';

const now = Date.parse('2026-03-15T13:00:00Z');
const window = (options: { since?: string; until?: string; tz?: string }) => {
  const resolved = resolveWindow({ tz: 'UTC', now, ...options });
  return { since: resolved.since.toISOString(), until: resolved.until.toISOString() };
};

describe('report windows', () => {
  it.each([
    // Default: the last 30 days, today included: until the coming midnight (16 March), since 30 days before.
    [{}, '2026-02-14T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    // 12 weeks = 84 days before 16 March.
    [{ since: '12w' }, '2025-12-22T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    // 6 calendar months before 16 March.
    [{ since: '6m' }, '2025-09-16T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    [{ since: '48h' }, '2026-03-14T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    // A relative --until counts back from the default until.
    [{ since: '7d', until: '7d' }, '2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'],
    [{ since: '2026-03-01', until: 'now' }, '2026-03-01T00:00:00.000Z', '2026-03-15T13:00:00.000Z'],
    // A date is local midnight in --tz; a time with a zone is taken as it is.
    [{ since: '2026-03-01', tz: 'Europe/Berlin' }, '2026-02-28T23:00:00.000Z', '2026-03-15T23:00:00.000Z'],
    [{ since: '2026-03-01T10:00:00+02:00', until: '2026-03-02' }, '2026-03-01T08:00:00.000Z', '2026-03-02T00:00:00.000Z'],
    // After Berlin's DST change on 29 March: 12:00 local is 10:00 UTC.
    [{ since: '2026-03-29', until: '2026-03-29T12:00', tz: 'Europe/Berlin' }, '2026-03-28T23:00:00.000Z', '2026-03-29T10:00:00.000Z'],
    // 30 days in Los Angeles across the DST change of 8 March: local midnights, 23 h apart in one place.
    [{ since: '30d', until: '2026-03-20', tz: 'America/Los_Angeles' }, '2026-02-18T08:00:00.000Z', '2026-03-20T07:00:00.000Z'],
  ])('%j → [%s, %s)', (options, since, until) => {
    expect(window(options)).toEqual({ since, until });
  });

  it.each([
    [{ since: 'yesterday' }, '--since: expected an ISO date (2026-03-01), a time'],
    [{ since: '2026-02-30' }, '--since: expected an ISO date'],
    [{ since: '2026-03-10', until: '2026-03-10' }, 'the window is empty'],
    [{ tz: 'Mars/Olympus' }, '--tz: unknown time zone "Mars/Olympus"'],
  ])('rejects %j', (options, message) => {
    expect(() => window(options)).toThrow(message);
  });
});
