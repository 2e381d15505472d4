import { run } from '../../src/cli/program.js';
import type { Io } from '../../src/log.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --format json). */
  json<T = any>(): T;
}

/** Drive the real `dora` program in-process, capturing what it writes. */
export async function runCli(argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (text) => void (stdout += text), err: (text) => void (stderr += text), interactive: false };
  const code = await run(argv, io);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
