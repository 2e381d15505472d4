import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

/** The built `dora` bin (npm test builds it first), run as a user or a service manager runs it. */
export const bin = resolve('dist/cli/index.js');

export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  msg: string;
  job?: string;
  [field: string]: unknown;
}

export interface AgentProcess {
  child: ChildProcessWithoutNullStreams;
  lines: LogLine[];
  stdout(): string;
  /** Raw stderr lines that are not JSON (there should be none). */
  other: string[];
  /** Resolves when a log line satisfies `test`, or rejects after `timeoutMs` listing what was seen. */
  waitFor(test: (lines: LogLine[]) => boolean, timeoutMs: number, what: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Spawn `dora ...args` with JSON-line logs on stderr, parsed as they come. */
export function spawnAgent(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; nodeArgs?: string[] }): AgentProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], { cwd: options.cwd, env: options.env });
  const lines: LogLine[] = [];
  const other: string[] = [];
  let out = '';
  let pending = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts.filter(Boolean)) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        other.push(part);
      }
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  return {
    child,
    lines,
    other,
    stdout: () => out,
    exited,
    waitFor: (test, timeoutMs, what) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (!test(lines)) return;
          clearTimeout(timer);
          waiters.delete(check);
          done();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`timed out waiting for ${what}; log:\n${lines.map((line) => JSON.stringify(line)).join('\n')}\n${other.join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

/** Environment for a child: ours without any OTEL_* or token variables, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(OTEL_|HEROKU_|GITHUB_|PAGERDUTY_|OPSGENIE_|SLACK_|TEAMS_|DORA_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, CI: 'true', ...extra };
}
