import { CommanderError } from 'commander';
import { ZodError } from 'zod';
import { AgentError, ExitCode, formatZodIssues } from '../errors.js';
import { scrub, type Io } from '../log.js';

/** Print an error the way a user can act on it, and choose the exit code. */
export function handleError(error: unknown, io: Io): ExitCode {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof AgentError) {
    const lines = [`error: ${error.message}`];
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    if (cause && !error.message.includes(cause)) lines.push(`  cause: ${cause}`);
    if (error.suggestion) lines.push(`  hint: ${error.suggestion}`);
    io.err(scrub(`${lines.join('\n')}\n`));
    return error.exitCode;
  }
  if (error instanceof ZodError) {
    io.err(scrub(`error: invalid input:\n  ${formatZodIssues(error).join('\n  ')}\n`));
    return ExitCode.usage;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(scrub(`error: unexpected failure: ${message}\n`));
  return ExitCode.failure;
}
