import type { ClickHouseClient } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { parseEventLineText, type EventIssue } from '../events/parse.js';
import { nowIso } from '../events/time.js';
import { isEmbedded } from '../store/insert.js';
import { recordRun, type KindCounts } from '../store/writer.js';
import { lineSink, rowSink } from './line-sink.js';
import { readLines } from './lines.js';

export interface RejectedLine {
  line: number;
  issues: EventIssue[];
}

export interface ImportSummary {
  /** Non-blank lines read. */
  lines: number;
  accepted: number;
  rejected: number;
  /** Accepted events by kind. */
  events: KindCounts;
}

export interface ImportOptions {
  /** Recorded with the run, shown by `dora doctor` (a file name, or `stdin`). */
  scope: string;
  /** Called for every rejected line, in order; the import goes on. */
  onReject?: (rejected: RejectedLine) => void;
  /** Called after every batch of lines, with the lines read so far. */
  onProgress?: (lines: number) => void;
  /** Events per insert. Default 100,000 on the embedded engine (JSON text), 20,000 on a server (rows). */
  batchSize?: number;
}

/**
 * Stream NDJSON canonical events into the store. Every valid line is kept, every
 * invalid one is reported (line number, field, reason) and skipped; memory stays
 * flat however long the input is. Re-importing the same input changes nothing.
 */
export async function importEvents(
  client: ClickHouseClient,
  input: AsyncIterable<Buffer | string>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const started_at = nowIso();
  // The embedded engine maps JSON text to rows itself (the fastest path measured); a server takes rows.
  const sink = isEmbedded(client)
    ? lineSink(client, options.batchSize ? { batchSize: options.batchSize } : {})
    : rowSink(client, options.batchSize);
  const summary: ImportSummary = { lines: 0, accepted: 0, rejected: 0, events: sink.written };
  try {
    for await (const [line, text] of readLines(input)) {
      if (text.trim() === '') continue;
      summary.lines++;
      const { result: parsed, verbatim } = parseEventLineText(text);
      if (parsed.ok) {
        await sink.add(parsed.event, verbatim ? text : undefined);
        summary.accepted++;
      } else {
        summary.rejected++;
        options.onReject?.({ line, issues: parsed.issues });
      }
      if (summary.lines % 10_000 === 0) options.onProgress?.(summary.lines);
    }
    await sink.finish();
  } catch (error) {
    await recordRun(client, {
      run_id: randomUUID(),
      source: 'import',
      scope: options.scope,
      started_at,
      finished_at: nowIso(),
      status: 'failed',
      accepted: summary.accepted,
      rejected: summary.rejected,
      message: (error as Error).message,
    }).catch(() => undefined);
    throw error;
  }
  await recordRun(client, {
    run_id: randomUUID(),
    source: 'import',
    scope: options.scope,
    started_at,
    finished_at: nowIso(),
    status: summary.rejected > 0 ? 'partial' : 'ok',
    accepted: summary.accepted,
    rejected: summary.rejected,
    message: '',
  });
  return summary;
}
