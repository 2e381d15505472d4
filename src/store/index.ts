export { openStore, type Store, type StoreOptions } from './connect.js';
export { migrate, migrations, latestSchemaVersion, tables } from './schema.js';
export * from './writer.js';
export { insertRows } from './insert.js';
