import type { Command } from 'commander';
import { loadConfig, storeOptions, type LoadedConfig } from '../config/load.js';
import { createLogger, type Io, type Logger } from '../log.js';
import { openStore, type Store } from '../store/connect.js';

/** Options every command accepts (declared once on the program). */
export interface GlobalOptions {
  config?: string;
  home?: string;
  clickhouseUrl?: string;
  clickhouseUser?: string;
  clickhouseDatabase?: string;
  clickhouseCluster?: string;
  quiet?: boolean;
}

export interface CommandContext {
  io: Io;
  log: Logger;
  loaded: LoadedConfig;
  globals: GlobalOptions;
}

export function commandContext(command: Command, io: Io): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const loaded = loadConfig(globals.config ? { path: globals.config } : {});
  return { io, log: createLogger(io, { quiet: Boolean(globals.quiet) }), loaded, globals };
}

/** Open the store for the length of `work`, and always close it (the embedded engine holds a lock). */
export async function withStore<T>(ctx: CommandContext, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeOptions(ctx.loaded.config, ctx.globals));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export type OutputFormat = 'text' | 'json';

/** Machine output: one JSON document on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
