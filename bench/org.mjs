// A seeded synthetic organisation as canonical event lines (DESIGN.md §3), streamed: the same size
// always gives the same bytes. Each service deploys from one repository over one year (2025):
//   commits   — one chain per repository, in blocks of five: four branch commits then the merge of a PR;
//   PRs       — one per block (its four commits, the merge SHA), reviewed 20 min after it opened;
//   deploys   — evenly spread, each shipping the newest merge; 3 % fail, 2 % staging, 1 % roll back the previous;
//   incidents — opened 10-600 min after a random production deployment, open for 5-300 min; 5 % unresolved,
//               one in ten naming the deployment.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const sizes = {
  tiny: { services: 5, commits: 2_000, deployments: 200, incidents: 20 },
  small: { services: 50, commits: 100_000, deployments: 10_000, incidents: 1_000 },
  medium: { services: 500, commits: 1_000_000, deployments: 100_000, incidents: 10_000 },
  large: { services: 5_000, commits: 10_000_000, deployments: 1_000_000, incidents: 100_000 },
  // As many events as medium in 50× deeper services: what one new deployment costs against a service's history.
  deep: { services: 10, commits: 1_000_000, deployments: 100_000, incidents: 10_000 },
};

export const YEAR_START = Date.UTC(2025, 0, 1);
export const YEAR_END = Date.UTC(2026, 0, 1);
const YEAR = YEAR_END - YEAR_START;

/** mulberry32: small, fast, seeded. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n) => (n >>> 0).toString(16).padStart(8, '0');
/** A 40-hex SHA, unique per service and commit index (not a real hash: cheap and deterministic). */
const shaOf = (service, index) => `${hex(service * 2654435761)}${hex(index * 2246822519 + service)}${hex(index)}${hex(service)}${hex(index ^ 0x5bd1e995)}`;
const iso = (ms) => new Date(ms).toISOString();

/** The event lines of one service, in time order per kind. */
export function* serviceLines(size, service) {
  const rand = random(service + 1);
  const commits = Math.floor(size.commits / size.services);
  const deployments = Math.floor(size.deployments / size.services);
  const incidents = Math.floor(size.incidents / size.services);
  const repo = `acme/svc${service}`;
  const name = `svc${service}`;
  const step = YEAR / (commits + 1);
  const at = (index) => YEAR_START + Math.floor((index + 1) * step);
  for (let index = 0; index < commits; index++) {
    const inBlock = index % 5;
    const parents = index === 0 ? [] : inBlock === 4 && index >= 5 ? [shaOf(service, index - 5), shaOf(service, index - 1)] : [shaOf(service, index - 1)];
    yield JSON.stringify({
      kind: 'commit', repo, sha: shaOf(service, index), parents, author: `dev${Math.floor(rand() * 40)}`,
      authored_at: iso(at(index) - Math.floor(rand() * 3_600_000)), committed_at: iso(at(index)), message: inBlock === 4 ? `Merge pull request #${index}` : `change ${index}`,
    });
    if (inBlock === 4) {
      yield JSON.stringify({
        kind: 'pull_request', repo, number: index + 1, title: `Change ${index}`, author: `dev${index % 40}`, created_at: iso(at(index - 3)),
        first_review_at: iso(at(index - 3) + 1_200_000), merged_at: iso(at(index)), merge_sha: shaOf(service, index), base: 'main',
        commits: [1, 2, 3, 4].map((back) => shaOf(service, index - back)), labels: [],
      });
    }
  }
  const production = [];
  for (let k = 0; k < deployments; k++) {
    // The newest merge before this point in the year.
    const index = Math.max(4, Math.floor(((k + 1) * commits) / (deployments + 1) / 5) * 5 + 4 - 5);
    const finished = at(Math.min(index, commits - 1)) + 45 * 60_000;
    const roll = rand();
    const status = roll < 0.03 ? 'failure' : 'success';
    const environment = roll > 0.98 ? 'staging' : 'production';
    const rollback = roll > 0.97 && roll <= 0.98 && production.length > 1;
    const id = `${name}-d${k}`;
    const sha = rollback ? production.at(-2).sha : shaOf(service, Math.min(index, commits - 1));
    if (status === 'success' && environment === 'production') production.push({ id, sha, finished });
    yield JSON.stringify({
      kind: 'deployment', id, service: name, environment, status, finished_at: iso(finished), started_at: iso(finished - 300_000), source: 'bench',
      repo, sha, version: `v${k}`, ...(rollback ? { rollback_of: production.at(-2).id } : {}),
    });
  }
  for (let n = 0; n < incidents && production.length > 0; n++) {
    const cause = production[Math.floor(rand() * production.length)];
    const opened = cause.finished + (10 + Math.floor(rand() * 590)) * 60_000;
    const resolved = rand() < 0.05 ? undefined : opened + (5 + Math.floor(rand() * 295)) * 60_000;
    yield JSON.stringify({
      kind: 'incident', id: `${name}-i${n}`, service: name, opened_at: iso(opened), ...(resolved ? { resolved_at: iso(resolved) } : {}),
      title: 'Elevated errors', severity: rand() < 0.3 ? 'high' : 'low', source: 'bench', ...(n % 10 === 0 ? { deployment: cause.id } : {}),
    });
  }
}

/** Write the whole organisation to `file`; returns the number of lines. Memory stays flat. */
export async function writeOrganisation(size, file) {
  const out = createWriteStream(file);
  let lines = 0;
  let chunk = '';
  for (let service = 0; service < size.services; service++) {
    for (const line of serviceLines(size, service)) {
      chunk += `${line}\n`;
      lines++;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return lines;
}
