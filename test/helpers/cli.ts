import { run } from '../../src/cli/program.js';
import { scrub, type Io } from '../../src/log.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --format json). */
  json<T = any>(): T;
}

/** Drive the real `dora` program in-process, capturing what it writes (stdout piped, unless `terminal`). */
export async function runCli(argv: string[], options: { terminal?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  // Scrubbed like the real process output, so tests see what a user would.
  const io: Io = {
    out: (text) => void (stdout += scrub(text)),
    err: (text) => void (stderr += scrub(text)),
    interactive: false,
    outputIsTerminal: options.terminal === true,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
