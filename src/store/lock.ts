import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StorageError } from '../errors.js';

/** Who holds an embedded data directory; written into the lock file so a second process can name it. */
export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  started_at: string;
}

export interface DirectoryLock {
  readonly path: string;
  release(): void;
}

const LOCK_FILE = 'dora.lock';

/**
 * libchdb binds one data directory per process and two engines writing the same
 * directory would corrupt it, so one process owns it at a time.
 */
export function lockDirectory(directory: string, command = process.argv.slice(1).join(' ')): DirectoryLock {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), command, started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      return createLock(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StorageError(`cannot create the lock file ${path}: ${(error as Error).message}`, { cause: error });
      }
      const current = readHolder(path);
      if (current && isAlive(current)) throw lockedError(directory, current);
      // The holder died without cleaning up: the lock is stale, take it over.
      removeQuietly(path);
    }
  }
  throw new StorageError(`cannot take the lock on ${directory}: another process keeps taking it`);
}

function createLock(path: string): DirectoryLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    removeQuietly(path);
  };
  process.on('exit', release);
  return { path, release };
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined; // half-written or unreadable: treat as stale
  }
}

function isAlive(holder: LockHolder): boolean {
  // A pid means nothing on another host (a shared volume): assume it is alive.
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(directory: string, holder: LockHolder): StorageError {
  const who = holder.pid === process.pid ? 'this process' : `process ${holder.pid} on ${holder.hostname}`;
  return new StorageError(
    `the embedded store at ${directory} is in use by ${who} (\`${holder.command}\`, since ${holder.started_at})`,
    {
      suggestion:
        'wait for that command to finish, give this one its own directory with --home / DORA_HOME, or share one ClickHouse server with --clickhouse-url',
    },
  );
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
