// The Heroku collector over one app with 50,000 releases (BENCH_HEROKU_RELEASES), served by a local
// Platform API in pages of 1,000 (Range / Next-Range): four in five releases a new build, one in five a
// config change, a rollback every 500. A first run: the builds are read up front instead of each slug.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createHerokuCollector } from '../../dist/collectors/heroku/index.js';
import { runCollector } from '../../dist/collectors/runner.js';
import { Config } from '../../dist/config/schema.js';
import { createLogger } from '../../dist/log.js';
import { openStore } from '../../dist/store/connect.js';

const total = Number(process.env.BENCH_HEROKU_RELEASES ?? 50_000);
const app = { id: '00000000-0000-4000-8000-00000000a9b1', name: 'bench-app' };
const pad = (n) => String(n).padStart(12, '0');
const slugOf = (n) => `51a90000-0000-4000-8000-${pad(n)}`;
const shaOf = (n) => createHash('sha1').update(`bench ${n}`).digest('hex');
const at = (n) => new Date(Date.UTC(2020, 0, 1) + n * 600_000).toISOString();

// Release v (1-based): a config change when v % 5 === 0 (keeps the slug), a rollback to v-3 every 500th, else a build.
const releases = [];
const builds = [];
let slug = 0;
for (let v = 1; v <= total; v++) {
  let description;
  let slugId;
  if (v % 500 === 0) {
    description = `Rollback to v${v - 3}`;
    slugId = slugOf(slug - 1);
  } else if (v % 5 === 0) {
    description = 'Set FEATURE config vars';
    slugId = slugOf(slug);
  } else {
    slug++;
    description = `Deploy ${shaOf(slug).slice(0, 7)}`;
    slugId = slugOf(slug);
    builds.push({ id: `b0000000-0000-4000-8000-${pad(slug)}`, status: 'succeeded', created_at: at(v), updated_at: at(v), source_blob: { version: shaOf(slug) }, slug: { id: slugId }, user: {} });
  }
  releases.push({ id: `e0000000-0000-4000-8000-${pad(v)}`, version: v, description, status: 'succeeded', created_at: at(v), updated_at: at(v), slug: { id: slugId } });
}

let requests = 0;
const server = createServer((req, res) => {
  requests++;
  const path = new URL(req.url, 'http://localhost').pathname;
  const send = (status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'RateLimit-Remaining': '4500', ...headers });
    res.end(JSON.stringify(body));
  };
  if (path === `/apps/${app.name}`) return send(200, app);
  if (path === `/apps/${app.name}/pipeline-couplings`) return send(404, { id: 'not_found', message: "Couldn't find that pipeline coupling." });
  const list = path === `/apps/${app.name}/releases` ? releases : path === `/apps/${app.id}/builds` ? builds : undefined;
  if (!list) return send(404, { id: 'not_found', message: 'The requested API endpoint was not found.' });
  // `version ]N..` for releases, `id ]ID..` for builds; always ascending, 1,000 a page.
  const range = /^(\w+) (\]?)([\w-]*)\.\./.exec(req.headers.range ?? '');
  const key = (item) => (range?.[1] === 'version' ? item.version : item.id);
  const start = range?.[3] ? (range[1] === 'version' ? Number(range[3]) : range[3]) : undefined;
  const from = start === undefined ? 0 : list.findIndex((item) => key(item) > start);
  const page = from < 0 ? [] : list.slice(from, from + 1000);
  const more = from >= 0 && from + 1000 < list.length;
  send(more ? 206 : 200, page, more ? { 'Next-Range': `${range[1]} ]${key(page.at(-1))}..; max=1000, order=asc` } : {});
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const dir = mkdtempSync(join(tmpdir(), 'dora-bench-heroku-'));
const store = await openStore({ home: join(dir, 'store') });
const log = createLogger({ out: () => undefined, err: (text) => process.stderr.write(text), interactive: false });
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const summary = await runCollector(store.client, createHerokuCollector(), {
  agent: Config.parse({}),
  section: { apps: [app.name] },
  log,
  env: { HEROKU_API_KEY: 'bench-token', HEROKU_API_URL: `http://127.0.0.1:${server.address().port}` },
});
const seconds = (performance.now() - started) / 1000;
await store.close();
server.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    name: 'heroku',
    releases: total,
    deployments: summary.events.deployment,
    requests,
    seconds: Number(seconds.toFixed(2)),
    releases_per_s: Math.round(total / seconds),
    rss_before_mb: Math.round(rssBefore / 2 ** 20),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
