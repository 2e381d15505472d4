// 1,000,000 canonical events (BENCH_EVENTS) streamed through `importEvents` into the embedded store.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { importEvents } from '../../dist/ingest/import.js';
import { openStore } from '../../dist/store/connect.js';
import { eventLine } from '../generate.mjs';

const total = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'dora-bench-import-'));
const file = join(dir, 'events.ndjson');

const out = createWriteStream(file);
for (let i = 0; i < total; i++) {
  if (!out.write(`${eventLine(i)}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');

const store = await openStore({ home: join(dir, 'store') });
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const summary = await importEvents(store.client, createReadStream(file), { scope: 'bench' });
const seconds = (performance.now() - started) / 1000;
await store.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    name: 'import',
    events: summary.accepted,
    seconds: Number(seconds.toFixed(2)),
    events_per_s: Math.round(summary.accepted / seconds),
    rss_before_mb: Math.round(rssBefore / 2 ** 20),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
