import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/connect.js';
import { latestSchemaVersion, migrations, tables } from '../src/store/schema.js';
import { readCursor, saveCursor } from '../src/store/writer.js';
import { queryRows, tempDir } from './helpers/store.js';

const tmp = tempDir();
const home = join(tmp.dir, 'store');
afterAll(() => tmp.remove());

describe('the store', () => {
  it('applies each migration once, however often it is opened', async () => {
    for (let open = 0; open < 2; open++) {
      const store = await openStore({ home });
      await store.close();
    }
    const store = await openStore({ home });
    try {
      const applied = await queryRows<{ version: number }>(store.client, `SELECT version FROM ${tables.migrations} FINAL ORDER BY version`);
      expect(applied.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
      expect(latestSchemaVersion).toBe(migrations.at(-1)!.version);
      const spine = Object.values(tables).sort();
      const engines = await queryRows<{ name: string; engine: string }>(
        store.client,
        `SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)} ORDER BY name`,
        { names: spine },
      );
      // Every table the spine owns exists once and converges on its natural key.
      expect(engines).toEqual(spine.map((name) => ({ name, engine: 'ReplacingMergeTree' })));
    } finally {
      await store.close();
    }
  });

  it('keeps the newest cursor per source and scope', async () => {
    const store = await openStore({ home });
    try {
      await saveCursor(store.client, 'github', 'acme/api:pulls', '2026-03-01T00:00:00Z');
      await new Promise((resolve) => setTimeout(resolve, 5)); // versions are millisecond times
      await saveCursor(store.client, 'github', 'acme/api:pulls', '2026-03-02T00:00:00Z');
      expect(await readCursor(store.client, 'github', 'acme/api:pulls')).toBe('2026-03-02T00:00:00Z');
      expect(await readCursor(store.client, 'github', 'acme/web:pulls')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
