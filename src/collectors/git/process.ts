import { spawn } from 'node:child_process';
import { AgentError, ExitCode } from '../../errors.js';

/**
 * Running the real `git` binary. Output is read as bytes (commit messages need
 * not be UTF-8), and long outputs are streamed as NUL-terminated records that the
 * caller pulls one at a time: while the caller is busy (writing a batch), git is
 * held back by the pipe, so memory stays bounded whatever the history's size.
 */

/** Settings that make git's output independent of the user's config and terminal. */
const FIXED = ['-c', 'log.showSignature=false', '-c', 'core.quotePath=false', '-c', 'color.ui=false'];
const ENV = { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };

export class GitError extends AgentError {
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitStatus: number | null,
    suggestion?: string,
  ) {
    super('git', message, { exitCode: ExitCode.usage, ...(suggestion ? { suggestion } : {}) });
  }
}

export interface GitRun {
  cwd: string;
  /** Written to git's standard input, then closed. */
  input?: string;
  signal?: AbortSignal;
}

function start(args: string[], run: GitRun) {
  const child = spawn('git', [...FIXED, ...args], {
    cwd: run.cwd,
    env: { ...process.env, ...ENV },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(run.signal ? { signal: run.signal } : {}),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 8192) stderr += text;
  });
  // git may exit before reading all of its input (a bad revision): ignore the broken pipe.
  child.stdin.on('error', () => undefined);
  child.stdin.end(run.input ?? '');
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new AgentError('git', 'the `git` program was not found', { exitCode: ExitCode.usage, suggestion: 'install git and make sure it is on PATH' })
          : error,
      ),
    );
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, spawned, exited, stderr: () => stderr.trim() };
}

function failure(args: string[], code: number | null, stderr: string): GitError {
  return new GitError(`git ${args[0]} failed${code === null ? '' : ` (exit ${code})`}: ${stderr || 'no message'}`, stderr, code);
}

/** Run git to completion and return its stdout as bytes. For small outputs only (refs, config, one object). */
export async function gitBytes(args: string[], run: GitRun, okCodes: number[] = [0]): Promise<{ code: number; stdout: Buffer }> {
  const proc = start(args, run);
  const chunks: Buffer[] = [];
  proc.child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await proc.spawned;
  const code = await proc.exited;
  if (code === null || !okCodes.includes(code)) throw failure(args, code, proc.stderr());
  return { code, stdout: Buffer.concat(chunks) };
}

/** Run git to completion; stdout as UTF-8 text without the trailing newline. */
export async function git(args: string[], run: GitRun): Promise<string> {
  const { stdout } = await gitBytes(args, run);
  return stdout.toString('utf8').replace(/\n$/, '');
}

/** The exit code of a yes/no question (`merge-base --is-ancestor`: 0 yes, 1 no); other codes are failures. */
export async function gitStatus(args: string[], run: GitRun, answers: number[]): Promise<number> {
  return (await gitBytes(args, run, answers)).code;
}

/**
 * Stream git's stdout as records, each made of `fields` NUL-terminated fields
 * (`git log -z` with a format of `fields` NUL-separated placeholders). Yields
 * arrays of `fields` Buffers; pulls the next chunk only when asked.
 */
export async function* gitRecords(args: string[], run: GitRun, fields: number): AsyncGenerator<Buffer[]> {
  const proc = start(args, run);
  await proc.spawned;
  let pending: Buffer = Buffer.alloc(0);
  let current: Buffer[] = [];
  let finished = false;
  try {
    for await (const chunk of proc.child.stdout as AsyncIterable<Buffer>) {
      const data: Buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let from = 0;
      let nul: number;
      while ((nul = data.indexOf(0, from)) !== -1) {
        current.push(data.subarray(from, nul));
        from = nul + 1;
        if (current.length === fields) {
          yield current;
          current = [];
        }
      }
      // Copy the tail so the big chunk it came from can be freed.
      pending = Buffer.from(data.subarray(from));
    }
    finished = true;
  } finally {
    if (!finished) proc.child.kill();
  }
  const code = await proc.exited;
  if (code !== 0) throw failure(args, code, proc.stderr());
  if (pending.length > 0 || current.length > 0) throw failure(args, code, 'output ended in the middle of a record');
}
