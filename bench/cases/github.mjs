// The GitHub collector against the local fake GitHub (test/fakes/github) for a generated
// organisation (BENCH_GITHUB_REPOS repositories x BENCH_GITHUB_PRS merged PRs), into the
// embedded store through the real runner: requests and GraphQL points of a first sync and
// of an unchanged second sync (the cost model is GitHub's documented formula).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { createGithubCollector } from '../../dist/collectors/github/index.js';
import { runCollector } from '../../dist/collectors/runner.js';
import { Config } from '../../dist/config/schema.js';
import { openStore } from '../../dist/store/connect.js';

const here = dirname(fileURLToPath(import.meta.url));
const repos = Number(process.env.BENCH_GITHUB_REPOS ?? 20);
const pulls = Number(process.env.BENCH_GITHUB_PRS ?? 100);

// The fake server is TypeScript (shared with the tests) and Node 20 does not strip types: transpile it.
const source = join(here, '../../test/fakes/github');
const out = join(here, '../.out/github-fake');
mkdirSync(out, { recursive: true });
for (const file of readdirSync(source).filter((name) => name.endsWith('.ts'))) {
  const { outputText } = ts.transpileModule(readFileSync(join(source, file), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  });
  writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText);
}
const { FakeGithub } = await import(pathToFileURL(join(out, 'server.js')).href);
const { generateOrg } = await import(pathToFileURL(join(out, 'generate.js')).href);

// A fixed history (and --since reaching it) keeps the SHAs, and so the counts, the same on every run.
const org = generateOrg({ repos, pulls, end: Date.UTC(2026, 2, 31) });
const fake = await FakeGithub.start({ org, limit: 1_000_000 });
const dir = mkdtempSync(join(tmpdir(), 'dora-bench-github-'));
const store = await openStore({ home: join(dir, 'store') });
const silent = { info() {}, warn() {}, error() {} };

async function sync() {
  const before = fake.requests.length;
  const started = performance.now();
  const summary = await runCollector(store.client, createGithubCollector(), {
    agent: Config.parse({}), section: { org: org.login, since: '2025-01-01' }, log: silent, env: { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: fake.url },
  });
  const requests = fake.requests.slice(before);
  return {
    seconds: (performance.now() - started) / 1000,
    requests: requests.length,
    points: requests.reduce((sum, request) => sum + request.cost, 0),
    events: Object.values(summary.events).reduce((a, b) => a + b, 0),
  };
}

const first = await sync();
const second = await sync();
await store.close();
await fake.close();
rmSync(dir, { recursive: true, force: true });

const prs = repos * pulls;
console.log(JSON.stringify({
  name: 'github first sync', repos, merged_prs: prs, requests: first.requests, points: first.points,
  points_per_100_prs: Number(((first.points / prs) * 100).toFixed(1)), events: first.events, seconds: Number(first.seconds.toFixed(2)),
}));
console.log(JSON.stringify({
  name: 'github unchanged re-sync', repos, requests: second.requests, requests_per_repo: Number((second.requests / repos).toFixed(2)),
  points: second.points, events: second.events, seconds: Number(second.seconds.toFixed(2)),
}));
