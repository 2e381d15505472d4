/** Small text helpers for human output. */

export const number = (value: number) => value.toLocaleString('en-US');

/** `2026-03-01T10:00:00.000Z` -> `2026-03-01 10:00 UTC`. */
export const shortTime = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '-');

/** Left-aligned text columns, right-aligned numbers; two spaces between columns. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? number(cell) : cell)))];
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => String(row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => {
          const text = String(cell ?? '');
          const width = widths[column] ?? 0;
          return numeric[column] ? text.padStart(width) : text.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
