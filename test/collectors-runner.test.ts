import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Config } from '../src/config/schema.js';
import { collectors } from '../src/collectors/registry.js';
import { runCollector } from '../src/collectors/runner.js';
import type { Collector } from '../src/collectors/types.js';
import { createLogger } from '../src/log.js';
import { tables } from '../src/store/schema.js';
import { readCursor } from '../src/store/writer.js';
import { countFinal, queryRows, tempStore } from './helpers/store.js';

const deployment = (n: number) => ({
  kind: 'deployment' as const, id: `d${n}`, service: 'api', environment: 'production', status: 'success' as const,
  finished_at: `2026-03-0${n}T10:00:00.000Z`, extra: {},
});

/** A source of three pages that fails on the third page the first time it runs. */
function pagedSource(failOnPage3: { value: boolean }): Collector<{ pages: number }> {
  return {
    id: 'paged',
    description: 'test source',
    configSchema: z.object({ pages: z.number().int().positive() }),
    async *collect(ctx) {
      const start = Number((await ctx.cursor('main')) ?? 0);
      for (let page = start + 1; page <= ctx.config.pages; page++) {
        if (page === 3 && failOnPage3.value) throw new Error('502 from the source');
        yield { events: [deployment(page)], cursor: { scope: 'main', value: String(page) } };
      }
    },
  };
}

const io = { out: () => undefined, err: () => undefined, interactive: false };
let store: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => (store = await tempStore()));
afterAll(async () => store.dispose());

describe('runCollector', () => {
  it('saves each batch and its cursor, so a failed run resumes where it stopped', async () => {
    const failing = { value: true };
    const options = { agent: Config.parse({}), section: { pages: 4 }, log: createLogger(io) };
    await expect(runCollector(store.client, pagedSource(failing), options)).rejects.toThrow('502 from the source');
    // Pages 1 and 2 were written and their cursor saved before page 3 failed.
    expect(await countFinal(store.client, tables.deployments)).toBe(2);
    expect(await readCursor(store.client, 'paged', 'main')).toBe('2');

    failing.value = false;
    const summary = await runCollector(store.client, pagedSource(failing), options);
    // The second run asks only for pages 3 and 4.
    expect(summary).toEqual({ collector: 'paged', batches: 2, events: { commit: 0, pull_request: 0, deployment: 2, incident: 0 } });
    expect(await countFinal(store.client, tables.deployments)).toBe(4);
    const runs = await queryRows<{ status: string; accepted: number }>(store.client, `SELECT status, accepted FROM ${tables.runs} FINAL WHERE source = 'paged' ORDER BY finished_at`);
    expect(runs).toEqual([{ status: 'failed', accepted: 2 }, { status: 'ok', accepted: 2 }]);
  });

  it('rejects an invalid config section, naming the field', async () => {
    const options = { agent: Config.parse({}), section: { pages: 0 }, log: createLogger(io) };
    await expect(runCollector(store.client, pagedSource({ value: false }), options)).rejects.toThrow(/sources\.paged\.pages: Too small/);
  });
});

describe('the collector registry', () => {
  it('registers exactly one collector per folder under src/collectors, under the folder name', () => {
    const root = join(import.meta.dirname, '../src/collectors');
    const folders = readdirSync(root).filter((entry) => statSync(join(root, entry)).isDirectory()).sort();
    expect(Object.keys(collectors).sort()).toEqual(folders);
    for (const [id, collector] of Object.entries(collectors)) expect(collector.id).toBe(id);
  });
});
