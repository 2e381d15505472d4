/**
 * How a panel's SQL becomes the query ClickHouse runs, step for step as Grafana with the
 * ClickHouse data source plugin (grafana-clickhouse-datasource v4) does it, so tests can
 * run every panel on the engine for a fixed time range:
 *
 * 1. the plugin's frontend replaces `$__conditionalAll(condition, $var)` with `1=1` when
 *    the variable is "All" (`$__all`) or empty, else with the condition
 *    (src/data/CHDatasource.ts `applyConditionalAll`);
 * 2. Grafana's template service replaces `$var`, `${var}`, `${var:format}` and `[[var]]`,
 *    with the plugin's default format for multi-values (`'a','b'`);
 * 3. the plugin's backend expands the time macros (pkg/macros/macros.go, on top of
 *    grafana-plugin-sdk-go data/sqlutil macros.go): a macro takes arguments only when `(`
 *    follows its name at once; arguments split at top-level commas and are trimmed.
 *    Each found macro's text is then replaced everywhere in the query (strings.ReplaceAll),
 *    macro by macro in Go's random map order: `$__fromTime` also replaces the start of a
 *    `$__fromTime_ms` in the same query. Shorter names go first here, so a query that
 *    mixes the two fails in tests as it may fail in Grafana.
 */

export interface VariableValue {
  /** The selection: one value, several, or `$__all`. */
  current: string | string[];
  /** Every option's value: what "All" stands for when the variable has no `allValue`. */
  options?: string[];
  allValue?: string;
}

export interface ExpandContext {
  from: number;
  to: number;
  /** The panel's interval (Grafana's `$__interval_ms`). */
  intervalMs: number;
  variables: Record<string, VariableValue>;
}

export class MacroError extends Error {}

const ALL = '$__all';

/** Step 1 (plugin frontend): `$__conditionalAll(condition, $var)`. */
export function applyConditionalAll(sql: string, variables: Record<string, VariableValue>): string {
  const macro = '$__conditionalAll(';
  let query = sql;
  let index = query.lastIndexOf(macro);
  while (index !== -1) {
    const args = bracketArgs(query, index + macro.length - 1);
    // The plugin leaves the query as it is when the call does not have two arguments.
    if (!args || args.list.length !== 2) return query;
    const [condition, variable] = args.list as [string, string];
    const name = /(?<=\$\{)\w+(?=\})|(?<=\$)\w+/.exec(variable.trim())?.[0];
    const current = name ? variables[name]?.current : undefined;
    const value = current === undefined ? undefined : String(current);
    const phrase = name && (value === '' || value === ALL) ? '1=1' : condition;
    query = query.replace(`${macro}${condition},${variable})`, phrase);
    index = query.lastIndexOf(macro);
  }
  return query;
}

/** Arguments of the call whose `(` is at `open`, split at commas of the top level (the plugin's getMacroArgs). */
function bracketArgs(text: string, open: number): { list: string[]; end: number } | null {
  const list: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    if (char === ',' && depth === 1) {
      list.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth === 0) {
      list.push(text.slice(start, i));
      return { list, end: i + 1 };
    }
  }
  return null;
}

// Grafana's variable syntax: $var, [[var:format]], ${var.field:format}.
const variablePattern = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

const escapeSingle = (value: string) => value.replace(/'/g, "\\'");

function format(value: string | string[], formatId: string | undefined): string {
  const list = Array.isArray(value) ? value : [value];
  switch (formatId) {
    case undefined:
      // The plugin's own format callback: arrays become 'a','b'; a single value goes in as it is.
      return Array.isArray(value) ? `'${value.join("','")}'` : value;
    case 'singlequote':
      return list.map((item) => `'${escapeSingle(item)}'`).join(',');
    case 'doublequote':
      return list.map((item) => `"${item.replace(/"/g, '\\"')}"`).join(',');
    case 'sqlstring':
      return list.map((item) => `'${item.replace(/'/g, "''")}'`).join(',');
    case 'csv':
      return list.join(',');
    case 'pipe':
      return list.join('|');
    case 'raw':
      return Array.isArray(value) ? list.join(',') : value;
    default:
      throw new MacroError(`variable format ${JSON.stringify(formatId)} is not supported here`);
  }
}

/** What a variable stands for: its selection, or for "All" its allValue or every option. */
function resolved(variable: VariableValue): string | string[] {
  const current = variable.current;
  const isAll = current === ALL || (Array.isArray(current) && current.length === 1 && current[0] === ALL);
  if (!isAll) return current;
  if (variable.allValue !== undefined) return variable.allValue;
  return variable.options ?? [];
}

/** Step 2 (Grafana's template service). Unknown names are left as they are, like Grafana does. */
export function replaceVariables(sql: string, ctx: ExpandContext): string {
  const builtIn: Record<string, VariableValue> = {
    __from: { current: String(ctx.from) },
    __to: { current: String(ctx.to) },
    __interval_ms: { current: String(ctx.intervalMs) },
    __interval: { current: intervalText(ctx.intervalMs) },
  };
  return sql.replace(variablePattern, (match, plain, bracket, bracketFormat, braced, _field, bracedFormat) => {
    const name = (plain ?? bracket ?? braced) as string;
    const variable = ctx.variables[name] ?? builtIn[name];
    if (!variable) return match;
    return format(resolved(variable), (bracketFormat ?? bracedFormat) as string | undefined);
  });
}

/** Grafana's interval text: 30s, 5m, 1h, 1d. */
function intervalText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

type Macro = (args: string[], ctx: ExpandContext) => string;

const seconds = (ms: number) => Math.floor(ms / 1000);
const dateTime = (ms: number) => `toDateTime(${seconds(ms)})`;
const dateTime64 = (ms: number) => `fromUnixTimestamp64Milli(${Math.trunc(ms)})`;
const date = (ms: number) => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;
const rfc3339 = (ms: number) => new Date(seconds(ms) * 1000).toISOString().replace('.000Z', 'Z');

function arity(name: string, args: string[], expected: number): void {
  if (args.length !== expected) {
    throw new MacroError(`$__${name}: unexpected number of arguments: expected ${expected} argument${expected === 1 ? '' : 's'}, received ${args.length}`);
  }
}

const column = (name: string, build: (column: string, ctx: ExpandContext) => string): Macro => (args, ctx) => {
  arity(name, args, 1);
  return build(args[0] as string, ctx);
};

/** The plugin's macros, with the SDK defaults it does not replace. Names map to `$__name`. */
const macros: Record<string, Macro> = {
  fromTime: (_args, ctx) => dateTime(ctx.from),
  toTime: (_args, ctx) => dateTime(ctx.to),
  fromTime_ms: (_args, ctx) => dateTime64(ctx.from),
  toTime_ms: (_args, ctx) => dateTime64(ctx.to),
  timeFilter: column('timeFilter', (col, ctx) => `${col} >= ${dateTime(ctx.from)} AND ${col} <= ${dateTime(ctx.to)}`),
  timeFilter_ms: column('timeFilter_ms', (col, ctx) => `${col} >= ${dateTime64(ctx.from)} AND ${col} <= ${dateTime64(ctx.to)}`),
  dateFilter: column('dateFilter', (col, ctx) => `${col} >= ${date(ctx.from)} AND ${col} <= ${date(ctx.to)}`),
  dateTimeFilter: (args, ctx) => dateTimeFilter('dateTimeFilter', args, ctx),
  dt: (args, ctx) => dateTimeFilter('dt', args, ctx),
  timeInterval: column('timeInterval', (col, ctx) => `toStartOfInterval(toDateTime(${col}), INTERVAL ${Math.max(seconds(ctx.intervalMs), 1)} second)`),
  timeInterval_ms: column('timeInterval_ms', (col, ctx) => `toStartOfInterval(toDateTime64(${col}, 3), INTERVAL ${Math.max(Math.trunc(ctx.intervalMs), 1)} millisecond)`),
  interval_s: (_args, ctx) => String(Math.max(seconds(ctx.intervalMs), 1)),
  timeFrom: column('timeFrom', (col, ctx) => `${col} >= '${rfc3339(ctx.from)}'`),
  timeTo: column('timeTo', (col, ctx) => `${col} <= '${rfc3339(ctx.to)}'`),
};

function dateTimeFilter(name: string, args: string[], ctx: ExpandContext): string {
  arity(name, args, 2);
  const [dateColumn, timeColumn] = args as [string, string];
  return `(${dateColumn} >= ${date(ctx.from)} AND ${dateColumn} <= ${date(ctx.to)}) AND (${timeColumn} >= ${dateTime(ctx.from)} AND ${timeColumn} <= ${dateTime(ctx.to)})`;
}

/** Arguments right after a macro name: none unless `(` comes first (sqlutil parseArgs). */
function macroArgs(rest: string, name: string): { args: string[]; length: number } {
  if (!rest.startsWith('(')) return { args: [], length: 0 };
  const parsed = bracketArgs(rest, 0);
  if (!parsed) throw new MacroError(`$__${name}: missing closing bracket`);
  const args = parsed.list.length === 1 && parsed.list[0]!.trim() === '' ? [] : parsed.list.map((arg) => arg.trim());
  return { args, length: parsed.end };
}

/** Step 3 (plugin backend): the time macros. */
export function expandMacros(sql: string, ctx: ExpandContext): string {
  let query = sql;
  for (const [name, macro] of Object.entries(macros)) {
    const pattern = new RegExp(`\\$__${name}\\b`, 'g');
    const found: string[] = [];
    for (const match of query.matchAll(pattern)) {
      const { length } = macroArgs(query.slice(match.index + match[0].length), name);
      found.push(query.slice(match.index, match.index + match[0].length + length));
    }
    for (const text of found) {
      const { args } = macroArgs(text.slice(name.length + 3), name);
      query = query.split(text).join(macro(args, ctx));
    }
  }
  return query;
}

/** The SQL ClickHouse receives for a panel target's `rawSql`. */
export function expandQuery(rawSql: string, ctx: ExpandContext): string {
  return expandMacros(replaceVariables(applyConditionalAll(rawSql, ctx.variables), ctx), ctx);
}
