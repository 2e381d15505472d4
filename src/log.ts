/**
 * Human diagnostics go to stderr; stdout is reserved for results (`--format json`).
 * Messages are fixed strings with details as fields, so they group in log tools.
 * Every registered secret is scrubbed from everything written here.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is an interactive terminal and we are not in CI: progress may be drawn. */
  readonly interactive: boolean;
  /** stdout is a terminal: machine output is indented for a person there, compact when piped. */
  readonly outputIsTerminal?: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(scrub(text)),
  err: (text) => void process.stderr.write(scrub(text)),
  interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
  outputIsTerminal: Boolean(process.stdout.isTTY),
};

const secrets = new Set<string>();

/** Register a token, password or webhook URL so it never reaches a log line or error. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function scrub(text: string): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('***');
  return result;
}

type Fields = Record<string, unknown>;

function formatFields(fields: Fields | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export function createLogger(io: Io, options: { quiet?: boolean } = {}): Logger {
  const write = (prefix: string, message: string, fields?: Fields) =>
    io.err(scrub(`${prefix}${message}${formatFields(fields)}\n`));
  return {
    info: (message, fields) => {
      if (!options.quiet) write('', message, fields);
    },
    warn: (message, fields) => write('warning: ', message, fields),
    error: (message, fields) => write('error: ', message, fields),
  };
}
