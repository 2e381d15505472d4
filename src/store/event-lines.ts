import type { ClickHouseClient } from '@clickhouse/client';
import { unlink, writeFile } from 'node:fs/promises';
import type { EventKind } from '../events/schemas.js';
import { toClickHouseTime } from '../events/time.js';
import { batchFile } from './insert.js';
import { tables } from './schema.js';

/**
 * The import's insert path on the embedded engine: validated canonical events stay JSON text
 * (the line as given when it needed no normalising, else the normalised event) and the engine
 * maps them to columns itself, reading a batch file with `file()` as it reads any file. That is the
 * engine's native ingest plus the SELECT below; JavaScript never builds row objects or JSON
 * for the common line. The mapping is writer.ts's `toRow` in SQL, and a test holds the two to the
 * same rows (test/perf-import-paths.test.ts).
 */

const time = "DateTime64(3, 'UTC')";
const optionalTime = `Nullable(${time})`;

interface Mapping {
  table: string;
  /** The canonical fields as the file holds them (absent or null optional fields come in as NULL or the default). */
  structure: string;
  /** Column list and the expressions that fill it, `{source}` and `{ingested}` being query parameters. */
  columns: string;
  select: string;
}

const mappings: Record<EventKind, Mapping> = {
  commit: {
    table: tables.commits,
    structure: `repo String, sha String, parents Array(String), author String, authored_at ${time}, committed_at ${optionalTime}, message String, extra Map(String, String)`,
    columns: 'repo, sha, parents, author, authored_at, committed_at, message, source, extra, ingested_at',
    select: 'repo, sha, parents, author, authored_at, committed_at, message, {source:String}, extra, {ingested:String}',
  },
  pull_request: {
    table: tables.pullRequests,
    structure: `repo String, number UInt64, title String, author String, created_at ${time}, first_review_at ${optionalTime}, merged_at ${optionalTime}, merge_sha String, base String, commits Array(String), labels Array(String), extra Map(String, String)`,
    columns: 'repo, number, title, author, created_at, first_review_at, merged_at, merge_sha, base, commits, labels, source, extra, ingested_at',
    select: 'repo, number, title, author, created_at, first_review_at, merged_at, merge_sha, base, commits, labels, {source:String}, extra, {ingested:String}',
  },
  deployment: {
    table: tables.deployments,
    structure: `id String, service String, environment String, status String, finished_at ${time}, started_at ${optionalTime}, source Nullable(String), repo String, sha String, version String, rollback_of String, url String, extra Map(String, String)`,
    columns: 'id, service, environment, status, finished_at, started_at, source, repo, sha, version, rollback_of, url, extra, ingested_at',
    select: 'id, service, environment, status, finished_at, started_at, ifNull(source, {source:String}), repo, sha, version, rollback_of, url, extra, {ingested:String}',
  },
  incident: {
    table: tables.incidents,
    structure: `id String, service String, opened_at ${time}, resolved_at ${optionalTime}, title String, severity String, source Nullable(String), deployment String, url String, extra Map(String, String)`,
    columns: 'id, service, opened_at, resolved_at, title, severity, source, deployment, url, extra, ingested_at',
    select: 'id, service, opened_at, resolved_at, title, severity, ifNull(source, {source:String}), deployment, url, extra, {ingested:String}',
  },
};

/**
 * Insert canonical events given as JSON text, one per line, all of one kind and all valid
 * (checked by the caller). `source` fills the source of events that do not name one; every row
 * gets `ingestedAt` as its version. Embedded engine only (a file the engine can read).
 */
export async function insertEventLines(
  client: ClickHouseClient,
  kind: EventKind,
  lines: readonly string[],
  options: { source: string; ingestedAt: string },
): Promise<void> {
  if (lines.length === 0) return;
  const mapping = mappings[kind];
  const file = batchFile(`${kind}-lines`);
  await writeFile(file, lines.join('\n'));
  try {
    await client.command({
      query: `INSERT INTO ${mapping.table} (${mapping.columns}) SELECT ${mapping.select} FROM file({file:String}, JSONEachRow, {structure:String})`,
      query_params: { file, structure: mapping.structure, source: options.source, ingested: toClickHouseTime(options.ingestedAt) },
      // `kind` is in every line and not a column; an optional field given as null takes its default
      // ('' or []), as toRow gives it. Times are ISO-8601 with a zone.
      clickhouse_settings: { input_format_skip_unknown_fields: 1, input_format_null_as_default: 1, date_time_input_format: 'best_effort' },
    });
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
