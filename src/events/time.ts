/** `2026-03-01T10:00:00.000Z` -> `2026-03-01 10:00:00.000`, the form ClickHouse reads into DateTime64(3, 'UTC'). */
export function toClickHouseTime(iso: string): string {
  return iso.slice(0, 23).replace('T', ' ');
}

/** ClickHouse's `2026-03-01 10:00:00.000` (UTC) -> `2026-03-01T10:00:00.000Z`. */
export function fromClickHouseTime(value: string): string {
  return `${value.replace(' ', 'T').padEnd(23, '.000').slice(0, 23)}Z`;
}

/** Now, as a canonical UTC ISO string with milliseconds. */
export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}
