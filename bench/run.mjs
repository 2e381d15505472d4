#!/usr/bin/env node
// `npm run bench` — the suite (bench/suite.mjs) at the sizes small, medium and large, and the collectors
// against their local servers; a table on stdout and the figures in bench/results.json (BENCH_RESULTS).
// `npm run bench -- tiny` or `-- small medium` runs those sizes only (`collectors` the collectors only);
// any other name runs that case of bench/cases alone (each in a fresh Node process, printing JSON lines):
// `npm run bench -- git heroku`, `-- report`, `-- health`, `-- dashboards`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sizes } from './org.mjs';
import { renderTable, runCollectors, runSize, saveResults } from './suite.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const resultsPath = process.env.BENCH_RESULTS ?? join(here, 'results.json');
const caseNames = readdirSync(join(here, 'cases'))
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => file.replace(/\.mjs$/, ''));

const unknown = wanted.filter((name) => !(name in sizes) && name !== 'collectors' && !caseNames.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; expected sizes (${Object.keys(sizes).join(', ')}), collectors, or cases (${caseNames.join(', ')})\n`);
  process.exit(2);
}

const suiteSizes = wanted.length === 0 ? ['small', 'medium', 'large'] : wanted.filter((name) => name in sizes);
const withCollectors = wanted.length === 0 || wanted.includes('collectors');
const cases = wanted.filter((name) => caseNames.includes(name));

let failed = false;
const update = { sizes: {} };
for (const name of suiteSizes) {
  process.stderr.write(`bench size ${name} ...\n`);
  try {
    update.sizes[name] = await runSize(name);
  } catch (error) {
    failed = true;
    process.stderr.write(`bench size ${name} failed: ${error.message}\n`);
  }
}
if (withCollectors) {
  process.stderr.write('bench collectors ...\n');
  try {
    // The tiny size stands for CI: collectors at a tiny size too.
    update.collectors = runCollectors(suiteSizes.length > 0 && suiteSizes.every((name) => name === 'tiny'));
  } catch (error) {
    failed = true;
    process.stderr.write(`bench collectors failed: ${error.message}\n`);
  }
}
if (suiteSizes.length > 0 || withCollectors) {
  const results = saveResults(resultsPath, update);
  console.log(renderTable(results));
  process.stderr.write(`figures written to ${resultsPath}\n`);
}

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
