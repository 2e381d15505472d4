// The git collector over a repository of 1,000,000 commits (BENCH_GIT_COMMITS): a main line with a
// merged two-commit branch every 20 commits and an annotated deploy tag every 500 (one in ten a rollback).
// The repository is built once with `git fast-import` and cached under os.tmpdir(), keyed by size.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitCollector } from '../../dist/collectors/git/index.js';
import { runCollector } from '../../dist/collectors/runner.js';
import { Config } from '../../dist/config/schema.js';
import { createLogger } from '../../dist/log.js';
import { openStore } from '../../dist/store/connect.js';

const total = Number(process.env.BENCH_GIT_COMMITS ?? 1_000_000);
const repo = join(tmpdir(), `dora-bench-git-${total}`);
const git = (args, cwd = repo) => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

async function build() {
  const building = `${repo}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  git(['init', '-q', '--bare', '--initial-branch=main'], building);
  const importer = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: building, stdio: ['pipe', 'inherit', 'inherit'] });
  const write = async (text) => {
    if (!importer.stdin.write(text)) await once(importer.stdin, 'drain');
  };
  const base = Date.UTC(2020, 0, 1) / 1000;
  const person = (i, at) => `Dev ${i % 40} <dev${i % 40}@example.com> ${at} +0000`;
  const commit = (ref, mark, at, message, parents) => {
    const body = Buffer.byteLength(message);
    const [from, ...merges] = parents;
    return `commit ${ref}\nmark :${mark}\nauthor ${person(mark, at - 3600)}\ncommitter ${person(mark + 1, at)}\ndata ${body}\n${message}\n` +
      (from ? `from :${from}\n` : '') + merges.map((parent) => `merge :${parent}\n`).join('') + '\n';
  };
  let mark = 0;
  let mainTip = 0;
  let deploys = 0;
  let lastDeployed = 0;
  let previousDeployed = 0;
  while (mark < total) {
    const at = base + mark * 60;
    if (mark % 20 === 17 && mark + 3 <= total && mainTip) {
      // A two-commit branch off main, merged back with a merge commit.
      const a = ++mark;
      await write(commit('refs/heads/feature', a, at, `Feature work ${a}\n\nPart one.`, [mainTip]));
      const b = ++mark;
      await write(commit('refs/heads/feature', b, at + 30, `Feature work ${b}\n\nPart two.`, [a]));
      const m = ++mark;
      await write(commit('refs/heads/main', m, at + 60, `Merge pull request #${m} from acme/feature-${m}`, [mainTip, b]));
      mainTip = m;
    } else {
      const c = ++mark;
      const message = c % 97 === 0 ? `Revert "Change ${c - 5}"\n\nThis reverts commit ${'0'.repeat(40)}.` : `Change ${c}\n\nSome description of change ${c}.`;
      await write(commit('refs/heads/main', c, at, message, mainTip ? [mainTip] : []));
      mainTip = c;
    }
    if (Math.floor(mark / 500) > deploys) {
      deploys++;
      // Every tenth deploy goes back to the one before the last: a rollback.
      const target = deploys % 10 === 0 && previousDeployed ? previousDeployed : mainTip;
      await write(`tag v${deploys}\nfrom :${target}\ntagger Release Bot <bot@example.com> ${at + 120} +0000\ndata 8\nrelease\n\n`);
      previousDeployed = lastDeployed;
      lastDeployed = target;
    }
  }
  await write('done\n');
  importer.stdin.end();
  const [code] = await once(importer, 'close');
  if (code !== 0) throw new Error(`git fast-import exited ${code}`);
  // A commit-graph file, as `git gc` or `git maintenance` writes in real clones.
  git(['commit-graph', 'write', '--reachable'], building);
  renameSync(building, repo);
}

if (!existsSync(repo)) {
  const started = performance.now();
  await build();
  process.stderr.write(`built ${repo} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const log = createLogger({ out: () => undefined, err: () => undefined, interactive: false });
const section = [{ repo, name: 'acme/bench', service: 'bench', deployTags: 'v*' }];

// The collector alone (git, parsing, events; no store), before the embedded engine is loaded.
const readStarted = performance.now();
let read = 0;
const context = { config: section.map((entry) => ({ ...entry, env: 'production' })), agent: Config.parse({}), cursor: async () => undefined, log, env: process.env, fetch };
for await (const batch of gitCollector.collect(context)) read += batch.events.length;
const readSeconds = (performance.now() - readStarted) / 1000;
const readPeak = Math.round(process.resourceUsage().maxRSS / 1024);

const dir = mkdtempSync(join(tmpdir(), 'dora-bench-git-store-'));
const store = await openStore({ home: join(dir, 'store') });
const measure = async (name) => {
  const started = performance.now();
  const summary = await runCollector(store.client, gitCollector, { agent: Config.parse({}), section, log });
  const seconds = (performance.now() - started) / 1000;
  return { name, commits: summary.events.commit, deployments: summary.events.deployment, seconds: Number(seconds.toFixed(2)) };
};
const first = await measure('git');
const second = await measure('git re-run (nothing new)');
await store.close();
rmSync(dir, { recursive: true, force: true });

const peak = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ name: 'git read only (no store)', events: read, seconds: Number(readSeconds.toFixed(2)), events_per_s: Math.round(read / readSeconds), peak_rss_mb: readPeak }));
console.log(JSON.stringify({ ...first, commits_per_s: Math.round(first.commits / first.seconds), peak_rss_mb: peak }));
console.log(JSON.stringify(second));
