#!/usr/bin/env node
// Runs each benchmark case in a fresh Node process (so peak RSS belongs to that case alone)
// and prints what it measured. `npm run bench -- import git` runs only the named cases.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const cases = readdirSync(join(here, 'cases'))
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => file.replace(/\.mjs$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

let failed = false;
for (const name of cases) {
  process.stderr.write(`bench ${name} ...\n`);
  const result = spawnSync(process.execPath, [join(here, 'cases', `${name}.mjs`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  if (result.status !== 0) {
    failed = true;
    process.stderr.write(`bench ${name} failed (exit ${result.status})\n`);
    continue;
  }
  // Each case prints one JSON object per measurement on stdout.
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    const measurement = JSON.parse(line);
    const parts = Object.entries(measurement)
      .filter(([key]) => key !== 'name')
      .map(([key, value]) => `${key}=${typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value}`);
    console.log(`${measurement.name}: ${parts.join('  ')}`);
  }
}
process.exitCode = failed ? 1 : 0;
