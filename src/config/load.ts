import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, formatZodIssues } from '../errors.js';
import type { StoreOptions } from '../store/connect.js';
import { Config } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** The file it came from, when there was one. */
  path: string | undefined;
}

const DEFAULT_FILES = ['dora.config.json', 'dora.config.yaml', 'dora.config.yml'];

/** Find and validate the config: `--config`, else `DORA_CONFIG`, else `dora.config.*` in the working directory, else defaults. */
export function loadConfig(options: { path?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.path ?? env.DORA_CONFIG;
  let path: string | undefined;
  if (explicit) {
    path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(`config file not found: ${path}`);
  } else {
    path = DEFAULT_FILES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  }
  if (!path) return { config: Config.parse({}), path: undefined };
  return { config: parseConfig(readFileSync(path, 'utf8'), path), path };
}

export function parseConfig(text: string, path: string): Config {
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
  const result = Config.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(`${path} is not a valid dora config:\n  ${formatZodIssues(result.error).join('\n  ')}`, {
      suggestion: 'see the configuration section of the README',
    });
  }
  return result.data;
}

export interface StoreFlags {
  home?: string;
  clickhouseUrl?: string;
  clickhouseUser?: string;
  clickhouseDatabase?: string;
  clickhouseCluster?: string;
}

/** Store settings: defaults < config file < environment < flags. The password only ever comes from the environment. */
export function storeOptions(config: Config, flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): StoreOptions {
  const pick = (...values: (string | undefined)[]) => values.find((value) => value !== undefined && value !== '');
  const options: StoreOptions = {};
  const home = pick(flags.home, env.DORA_HOME, config.store.home);
  const url = pick(flags.clickhouseUrl, env.DORA_CLICKHOUSE_URL, config.store.url);
  const username = pick(flags.clickhouseUser, env.DORA_CLICKHOUSE_USER, config.store.username);
  const database = pick(flags.clickhouseDatabase, env.DORA_CLICKHOUSE_DATABASE, config.store.database);
  if (home) options.home = home;
  if (url) options.url = url;
  if (username) options.username = username;
  if (database) options.database = database;
  const cluster = pick(flags.clickhouseCluster, env.DORA_CLICKHOUSE_CLUSTER, config.store.cluster);
  if (cluster) options.cluster = cluster;
  if (env.DORA_CLICKHOUSE_PASSWORD) options.password = env.DORA_CLICKHOUSE_PASSWORD;
  return options;
}
