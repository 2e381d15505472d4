import { describe, expect, it } from 'vitest';
import { fastEvent } from '../src/events/fast.js';
import { parseEventLine, parseEventLineText, parseEventWithSchema } from '../src/events/parse.js';
import type { EventKind } from '../src/events/schemas.js';
import { bases, corpus } from './perf-corpus.js';

/**
 * The import's fast path (src/events/fast.ts) must give exactly what the zod schemas give: the
 * same events for every line it accepts, and every other line left to the schemas (so the
 * rejections, with their messages, are the schemas' own). The same lines go through both.
 */

describe('the fast path against the zod schemas', () => {
  const lines = corpus(20_000);

  it('gives the same result as the schemas for every line, valid or not', () => {
    const fast = lines.map((line) => parseEventLine(line));
    const schema = lines.map((line) => parseEventWithSchema(JSON.parse(line)));
    expect(fast).toStrictEqual(schema);
    // The import's entry point gives the same results too.
    expect(lines.map((line) => parseEventLineText(line).result)).toStrictEqual(schema);
  });

  it('takes the common case itself and leaves the rest, every rejection included, to the schemas', () => {
    let taken = 0;
    let accepted = 0;
    for (const line of lines) {
      const value = JSON.parse(line) as Record<string, unknown>;
      const reference = parseEventWithSchema(value);
      if (reference.ok) accepted++;
      const event = typeof value.kind === 'string' && value.kind in bases ? fastEvent(value, value.kind as EventKind) : undefined;
      if (event) {
        taken++;
        // Whatever the fast path accepts, the schemas accept, with the same event.
        expect(reference).toStrictEqual({ ok: true, event });
      }
    }
    // The corpus has both kinds of line, and the fast path takes most of the valid ones.
    expect(accepted).toBeGreaterThan(lines.length / 4);
    expect(accepted).toBeLessThan(lines.length);
    expect(taken / accepted).toBeGreaterThan(0.5);
  });
});
