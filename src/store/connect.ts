import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';

type ClientConfig = NonNullable<Parameters<typeof createClient>[0]>;
import { resolve } from 'node:path';
import { ConfigError, StorageError } from '../errors.js';
import { registerSecret } from '../log.js';
import { clusterSettings } from './cluster.js';
import { markEmbedded } from './insert.js';
import { lockDirectory, type DirectoryLock } from './lock.js';
import { migrate } from './schema.js';

export interface StoreOptions {
  /** Data directory of the embedded engine. Default `./.dora`, or `DORA_HOME`. */
  home?: string;
  /** A ClickHouse server (`http://host:8123`, ClickHouse Cloud). When set, the embedded engine is not loaded. */
  url?: string;
  username?: string;
  password?: string;
  /** Database on a server. Default `dora`. */
  database?: string;
  /**
   * A ClickHouse cluster (its name in the servers' `remote_servers`): the schema is created
   * `ON CLUSTER` with Replicated engines behind Distributed tables (cluster.ts). Server only. Default none.
   */
  cluster?: string;
}

export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'embedded' | 'server';
  /** Where the data lives, fit to print: the directory, or the server URL without credentials. */
  readonly location: string;
  readonly database: string;
  /** The cluster the schema lives on, when clustered. */
  readonly cluster?: string;
  close(): Promise<void>;
}

/** Same output on both transports: 64-bit integers as JSON numbers, not strings. */
const settings: ClickHouseSettings = { output_format_json_quote_64bit_integers: 0, date_time_input_format: 'best_effort' };

/** Open the store (embedded by default, a server when a URL is given) and bring its schema up to date. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  if (options.cluster !== undefined && !options.url) {
    throw new ConfigError(`the cluster option (${JSON.stringify(options.cluster)}) needs a ClickHouse server: the embedded engine is one node`, {
      suggestion: 'set --clickhouse-url / DORA_CLICKHOUSE_URL to a node of the cluster, or drop store.cluster / DORA_CLICKHOUSE_CLUSTER',
    });
  }
  const store = options.url ? await openServer(options.url, options) : await openEmbedded(options);
  try {
    await migrate(store.client, store.cluster ? { cluster: { name: store.cluster, database: store.database } } : {});
  } catch (error) {
    await store.close();
    throw new StorageError(`cannot prepare the schema in ${store.location}: ${(error as Error).message}`, { cause: error });
  }
  return store;
}

async function openEmbedded(options: StoreOptions): Promise<Store> {
  const home = resolve(options.home ?? '.dora');
  const lock = lockDirectory(home);
  try {
    const createChdbConnection = await loadChdb();
    // chdb types its connection against @clickhouse/client-common, which @clickhouse/client
    // 1.23 now bundles: the same contract from two copies of its types, hence the cast.
    const connection = createChdbConnection({ path: home }) as unknown as ClientConfig['connection'];
    const client = createClient({ connection, clickhouse_settings: settings });
    markEmbedded(client);
    const database = 'dora';
    // chDB ignores the client's `database` option: select it in the session instead.
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    await client.command({ query: `USE ${database}` });
    return { client, kind: 'embedded', location: home, database, close: closer(client, lock) };
  } catch (error) {
    lock.release();
    if (error instanceof StorageError) throw error;
    throw new StorageError(`cannot open the embedded store at ${home}: ${(error as Error).message}`, { cause: error });
  }
}

async function loadChdb() {
  try {
    // Imported lazily: server users may install without the optional chdb package.
    const module = await import('chdb/connection');
    return module.createChdbConnection;
  } catch (error) {
    throw new StorageError('the embedded ClickHouse engine (the optional `chdb` package) is not installed', {
      cause: error,
      suggestion: 'run `npm install chdb`, or point the agent at a ClickHouse server with --clickhouse-url / DORA_CLICKHOUSE_URL',
    });
  }
}

async function openServer(url: string, options: StoreOptions): Promise<Store> {
  registerSecret(options.password);
  const database = options.database ?? 'dora';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new StorageError(`invalid database name ${JSON.stringify(database)}: expected letters, digits and underscores`);
  }
  const cluster = options.cluster;
  if (cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster)) {
    throw new StorageError(`invalid cluster name ${JSON.stringify(cluster)}: expected letters, digits and underscores`);
  }
  const location = redact(url);
  const auth = { url, username: options.username ?? 'default', password: options.password ?? '' };
  const serverSettings = cluster ? { ...settings, ...clusterSettings } : settings;
  // The database may not exist yet, and a client bound to a missing database fails every query.
  const bootstrap = createClient({ ...auth, clickhouse_settings: settings });
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}${cluster ? ` ON CLUSTER ${cluster}` : ''}` });
  } catch (error) {
    throw new StorageError(`cannot reach ClickHouse at ${location}: ${(error as Error).message}`, {
      cause: error,
      suggestion: 'check the URL, user and password (DORA_CLICKHOUSE_URL, DORA_CLICKHOUSE_USER, DORA_CLICKHOUSE_PASSWORD)',
    });
  } finally {
    await bootstrap.close();
  }
  const client = createClient({ ...auth, database, clickhouse_settings: serverSettings });
  return { client, kind: 'server', location, database, ...(cluster ? { cluster } : {}), close: closer(client) };
}

function closer(client: ClickHouseClient, lock?: DirectoryLock): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    try {
      await client.close();
    } finally {
      lock?.release();
    }
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
