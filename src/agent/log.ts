import { scrub, type Io, type Logger } from '../log.js';

export type LogFormat = 'json' | 'text';
type Fields = Record<string, unknown>;
type Level = 'info' | 'warn' | 'error';

/** A logger that carries fields into every line it writes (the job, the source). */
export interface AgentLogger extends Logger {
  with(fields: Fields): AgentLogger;
}

export interface AgentLogOptions {
  /** `json`: one JSON object per line, for log shippers (the default when stderr is not a terminal). */
  format: LogFormat;
  quiet?: boolean;
  now?: () => Date;
}

const plain = (value: unknown): unknown => (value instanceof Error ? value.message : value);

function textFields(fields: Fields): string {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof plain(value) === 'string' ? plain(value) : JSON.stringify(plain(value))}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * Structured agent logs on stderr. Messages are fixed strings and details are fields,
 * so lines group in log tools; every registered secret is scrubbed from the whole line.
 */
export function agentLogger(io: Io, options: AgentLogOptions, bound: Fields = {}): AgentLogger {
  const now = options.now ?? (() => new Date());
  const write = (level: Level, message: string, fields: Fields = {}) => {
    if (level === 'info' && options.quiet) return;
    const all = { ...bound, ...fields };
    if (options.format === 'json') {
      const line: Fields = { time: now().toISOString(), level, msg: message };
      for (const [key, value] of Object.entries(all)) if (value !== undefined && !(key in line)) line[key] = plain(value);
      io.err(`${scrub(JSON.stringify(line))}\n`);
    } else {
      const prefix = level === 'info' ? '' : level === 'warn' ? 'warning: ' : 'error: ';
      io.err(scrub(`${now().toISOString().slice(11, 19)} ${prefix}${message}${textFields(all)}\n`));
    }
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    with: (fields) => agentLogger(io, options, { ...bound, ...fields }),
  };
}
