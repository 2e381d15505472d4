import type { ClickHouseClient } from '@clickhouse/client';
import type { CanonicalEvent, EventKind } from '../events/schemas.js';
import { nowIso } from '../events/time.js';
import { insertEventLines } from '../store/event-lines.js';
import { emptyCounts, EventWriter, type KindCounts } from '../store/writer.js';

/** Where an import puts the events it accepted. */
export interface EventSink {
  readonly written: KindCounts;
  /** `text` is the line itself when it can stand for the event (parseEventLineText's `verbatim`). */
  add(event: CanonicalEvent, text: string | undefined): Promise<void>;
  finish(): Promise<void>;
}

/** On a server: rows through the store's writer, as collectors write. */
export function rowSink(client: ClickHouseClient, batchSize?: number): EventSink {
  const writer = new EventWriter(client, { source: 'import', ...(batchSize ? { batchSize } : {}) });
  return { written: writer.written, add: (event) => writer.add(event), finish: () => writer.flush() };
}

export interface LineSinkOptions {
  /** Lines buffered before an insert. Default 100,000 (text only: tens of MB). */
  batchSize?: number;
  /** Characters buffered before an insert, whatever the line count. Default 64 Mi. */
  batchChars?: number;
}

/**
 * On the embedded engine: events stay JSON text, grouped by kind, and each full batch is handed
 * to the engine (store/event-lines.ts) while the next one is parsed. One batch is in flight at a
 * time, so memory holds two batches at most, and the engine's work overlaps ours.
 */
export function lineSink(client: ClickHouseClient, options: LineSinkOptions = {}): EventSink {
  const batchSize = options.batchSize ?? 100_000;
  const batchChars = options.batchChars ?? 64 * 2 ** 20;
  const written = emptyCounts();
  let buffers = new Map<EventKind, string[]>();
  let lines = 0;
  let chars = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;

  const send = async () => {
    if (lines === 0) return;
    const batch = buffers;
    buffers = new Map();
    lines = 0;
    chars = 0;
    await inFlight;
    if (failure) throw failure.error;
    // One version per batch, taken in order: a later batch wins over an earlier one.
    const ingestedAt = nowIso();
    inFlight = (async () => {
      for (const [kind, texts] of batch) await insertEventLines(client, kind, texts, { source: 'import', ingestedAt });
    })().catch((error: unknown) => {
      failure = { error };
    });
  };

  return {
    written,
    async add(event, text) {
      const line = text ?? JSON.stringify(event);
      let buffer = buffers.get(event.kind);
      if (!buffer) buffers.set(event.kind, (buffer = []));
      buffer.push(line);
      written[event.kind]++;
      lines++;
      chars += line.length;
      if (lines >= batchSize || chars >= batchChars) await send();
    },
    async finish() {
      await send();
      await inFlight;
      if (failure) throw failure.error;
    },
  };
}
