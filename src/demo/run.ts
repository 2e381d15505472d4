import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { EventKind } from '../events/schemas.js';
import { buildReport, type Report } from '../reports/index.js';
import { openStore } from '../store/connect.js';
import { writeEvents, type KindCounts } from '../store/writer.js';
import { generateDemo } from './generate.js';
import { demoConfig, WINDOW_END, WINDOW_START } from './organisation.js';

/** Written into a demo store so that `dora demo` only ever clears a directory it made. */
const MARKER = 'dora-demo.json';

export interface DemoResult {
  home: string;
  events: KindCounts;
  report: Report;
}

/**
 * Build the sample organisation for `seed` in a fresh demo store at `home`
 * (never the user's own store) and compute its report over the fixed window.
 */
export async function runDemo(options: { seed: number; home: string }): Promise<DemoResult> {
  const home = resolve(options.home);
  prepareHome(home, options.seed);
  const events = generateDemo(options.seed);
  const store = await openStore({ home: join(home, 'store') });
  try {
    const written = await writeEvents(store.client, events, { source: 'demo' });
    const report = await buildReport(store.client, { since: new Date(WINDOW_START), until: new Date(WINDOW_END), config: demoConfig() });
    return { home, events: written, report };
  } finally {
    await store.close();
  }
}

/** Start from an empty demo directory: create it, or clear the one an earlier `dora demo` made. */
function prepareHome(home: string, seed: number): void {
  if (existsSync(home) && readdirSync(home).length > 0) {
    if (!existsSync(join(home, MARKER))) {
      throw new ConfigError(`${home} already exists and was not made by dora demo; the demo will not write into it`, {
        suggestion: 'choose an empty or new directory with --home, e.g. dora demo --home ./.dora-demo',
      });
    }
    const marker = JSON.parse(readFileSync(join(home, MARKER), 'utf8')) as { store?: string };
    if (marker.store !== 'store') throw new ConfigError(`${join(home, MARKER)} is not a dora demo marker`);
    rmSync(join(home, 'store'), { recursive: true, force: true });
  }
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, MARKER), `${JSON.stringify({ made_by: 'dora demo', seed, store: 'store' }, null, 2)}\n`);
}

export const describeCounts = (counts: KindCounts) =>
  (Object.entries(counts) as [EventKind, number][])
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind.replace('_', ' ')}${count === 1 ? '' : 's'}`)
    .join(', ');
