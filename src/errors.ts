import { ZodError } from 'zod';

/** Exit codes: each means one thing, so scripts and CI can branch on them. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  rejectedInput: 3,
  storeUnavailable: 4,
  sourceUnavailable: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface AgentErrorOptions {
  suggestion?: string;
  cause?: unknown;
  exitCode?: ExitCode;
}

/** An error a user can act on: what went wrong, and what to do about it. */
export class AgentError extends Error {
  readonly suggestion: string | undefined;
  readonly exitCode: ExitCode;

  constructor(
    readonly code: string,
    message: string,
    options: AgentErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.suggestion = options.suggestion;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

export class ConfigError extends AgentError {
  constructor(message: string, options: AgentErrorOptions = {}) {
    super('config', message, { exitCode: ExitCode.usage, ...options });
  }
}

export class StorageError extends AgentError {
  constructor(message: string, options: AgentErrorOptions = {}) {
    super('storage', message, { exitCode: ExitCode.storeUnavailable, ...options });
  }
}

export class SourceAuthError extends AgentError {
  constructor(message: string, options: AgentErrorOptions = {}) {
    super('source_auth', message, { exitCode: ExitCode.sourceUnavailable, ...options });
  }
}

export class SourceUnavailableError extends AgentError {
  constructor(message: string, options: AgentErrorOptions = {}) {
    super('source_unavailable', message, { exitCode: ExitCode.sourceUnavailable, ...options });
  }
}

/** One line per failing field: `services.api.team: expected string, received number`. */
export function formatZodIssues(error: ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
