import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { overrideStatsByService } from '../catalog/overrides.js';
import { syncServiceTeams } from '../dashboards/catalog.js';
import { nowIso, toClickHouseTime } from '../events/time.js';
import { appendService, type Previous } from './append.js';
import { fingerprintOf, notAnAppend, type DeriveInputs, type Stat } from './inputs.js';
import { RepoCache } from './repos.js';
import { lastStamp, saveStamp, storeStamp } from './stamp.js';
import { KnownRepos, productionEnvironments, scopeKey, serviceRepos } from './scope.js';
import { deriveService, scalar, type ServiceContext } from './service.js';
import { isEmbedded } from '../store/insert.js';
import { DerivedWriter, derivedTables, settleDerivedTables } from './write.js';

/** Bump when a derivation rule changes: every service is derived again on the next run. */
export const DERIVE_VERSION = 4;

/** Derived rows written in one run above which the embedded engine merges the derived tables (write.ts). */
const SETTLE_AFTER_ROWS = 200_000;

/** Commits behind a service above which it is derived alone (see the workers below). */
const DEEP_HISTORY = 50_000;

export interface DeriveOptions {
  config: Config;
  /** Production environment names (case-insensitive). Default: `config.production`. */
  environments?: readonly string[];
  /** Only these services. Default: every service with a deployment or an incident. */
  services?: readonly string[];
  /** Derive again even when a service's inputs are unchanged. Default false. */
  force?: boolean;
  onProgress?: (done: number, total: number, service: string) => void;
}

export interface DeriveSummary {
  scope: string;
  run: number;
  /** Services looked at, and those derived again because their inputs changed. */
  services: number;
  derived: string[];
  /** Of `derived`, those brought up to date by appending their new deployments (append.ts). */
  appended: string[];
  /** Services the append path was tried for and refused, with its reason (they were derived in full). */
  refused: Record<string, string>;
}

async function grouped(client: ClickHouseClient, query: string): Promise<Map<string, Stat>> {
  const result = await client.query({ query, format: 'JSONCompactEachRow' });
  const found = await result.json<[string, number, string]>();
  return new Map(found.map(([key, count, latest]) => [key, [Number(count), latest]]));
}

/**
 * Bring the derived tables up to date for one set of production environments.
 * A service is derived again only when its inputs changed (its deployments and
 * incidents, its repositories' commits and pull requests, the settings), judged by a
 * fingerprint of counts and latest ingestion times — cheap to compute from the store.
 */
export async function deriveMetrics(client: ClickHouseClient, options: DeriveOptions): Promise<DeriveSummary> {
  const environments = productionEnvironments(options.config, options.environments);
  const scope = scopeKey(environments);
  const windowMs = options.config.metrics.attributionWindowHours * 3_600_000;
  // Unique and increasing across runs, so the newest run of a service wins.
  const run = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  // Taken before anything is read: rows arriving while this runs make the next check look again.
  const stamp = await storeStamp(client, { version: DERIVE_VERSION, environments, windowMs, config: options.config });
  const everyService = !options.services;
  if (!options.force && everyService && (await lastStamp(client, scope)) === stamp) {
    return { scope, run, services: await scalar(client, `SELECT count() FROM ${derivedTables.state} FINAL WHERE scope = {scope:String}`, { scope }), derived: [], appended: [], refused: {} };
  }

  const deploymentStats = await client.query({
    query: `SELECT service, count(), toString(max(ingested_at)), groupUniqArrayIf(repo, repo != '') FROM deployments GROUP BY service`,
    format: 'JSONCompactEachRow',
  });
  const byService = new Map(
    (await deploymentStats.json<[string, number, string, string[]]>()).map(([service, count, latest, repos]) => [
      service,
      { stat: [Number(count), latest] as Stat, repos },
    ]),
  );
  const incidentStats = await grouped(client, `SELECT service, count(), toString(max(ingested_at)) FROM incidents GROUP BY service`);
  const namingStats = await grouped(
    client,
    // The deployments side is cut to the named ids first: a join against every deployment costs seconds at 1M.
    `SELECT d.service, count(), toString(max(i.ingested_at))
     FROM (SELECT deployment, ingested_at FROM incidents WHERE deployment != '') AS i
     INNER JOIN (SELECT DISTINCT id, service FROM deployments WHERE id IN (SELECT deployment FROM incidents WHERE deployment != '')) AS d
       ON i.deployment = d.id
     GROUP BY d.service`,
  );
  // The other way round: per service, the other services' deployments its incidents name (its
  // own are in its deployments' figures already).
  const namedStats = await grouped(
    client,
    `SELECT i.service, count(), toString(max(d.ingested_at))
     FROM (SELECT DISTINCT service, deployment FROM incidents WHERE deployment != '') AS i
     INNER JOIN (SELECT id, service, ingested_at FROM deployments WHERE id IN (SELECT deployment FROM incidents WHERE deployment != '')) AS d
       ON i.deployment = d.id
     WHERE d.service != i.service
     GROUP BY i.service`,
  );
  // `dora link` / `dora unlink` decisions (issue 7), per service they touch.
  const overrideStats = await overrideStatsByService(client);
  const commitStats = await grouped(client, `SELECT repo, count(), toString(max(ingested_at)) FROM commits GROUP BY repo`);
  const prStats = await grouped(client, `SELECT repo, count(), toString(max(ingested_at)) FROM pull_requests GROUP BY repo`);
  const stateResult = await client.query({
    query: `SELECT service, fingerprint, inputs, runs, deployments, changes, incidents FROM ${derivedTables.state} FINAL WHERE scope = {scope:String}`,
    query_params: { scope },
    format: 'JSONCompactEachRow',
  });
  const states = await stateResult.json<[string, string, string, (number | string)[], number, number, number]>();
  const previousState = new Map(
    states.map(([service, fingerprint, inputs, runs, deployments, changes, incidents]) => [
      service,
      {
        fingerprint,
        inputs,
        runs: runs.map(Number),
        counts: { deployments: Number(deployments), changes: Number(changes), incidents: Number(incidents) },
      },
    ]),
  );

  const knownRepos = new KnownRepos(commitStats.keys());
  const present = new Set([...byService.keys(), ...incidentStats.keys()]);
  const wanted = options.services ? new Set(options.services) : undefined;
  const services = [...new Set([...present, ...previousState.keys()])].filter((service) => !wanted || wanted.has(service)).sort();

  const inputsOf = (service: string): DeriveInputs => ({
    version: DERIVE_VERSION,
    environments,
    windowMs,
    deployments: byService.get(service)?.stat ?? null,
    incidents: incidentStats.get(service) ?? null,
    naming: namingStats.get(service) ?? null,
    ...(namedStats.has(service) ? { named: namedStats.get(service) as Stat } : {}),
    overrides: overrideStats.get(service) ?? null,
    paths: options.config.services[service]?.paths ?? [],
    repos: serviceRepos(service, byService.get(service)?.repos ?? [], options.config, knownRepos).map((repo) => [
      repo,
      commitStats.get(repo) ?? null,
      prStats.get(repo) ?? null,
    ]),
  });
  // Services gone from the store have none.
  const inputs = new Map(services.filter((service) => present.has(service)).map((service) => [service, inputsOf(service)]));
  /** The derivation in force, when the change since may be an append. */
  const appendable = (service: string, inputs: DeriveInputs): Previous | undefined => {
    const state = previousState.get(service);
    if (options.force || !state?.inputs) return undefined;
    const before = JSON.parse(state.inputs) as DeriveInputs;
    return notAnAppend(before, inputs) === undefined ? { runs: state.runs, inputs: before } : undefined;
  };

  const ctx: ServiceContext = {
    client,
    config: options.config,
    environments,
    windowMs,
    knownRepos,
    repos: new RepoCache(client),
    overrides: overrideStats.size > 0,
  };
  const writer = new DerivedWriter(client, scope, run);
  const derived: string[] = [];
  const appended: string[] = [];
  const refused: Record<string, string> = {};
  // Services sharing a repository follow each other, so the repository cache serves them all.
  const ordered = [...services].sort((a, b) => {
    const repoA = byService.get(a)?.repos[0] ?? a;
    const repoB = byService.get(b)?.repos[0] ?? b;
    return repoA < repoB ? -1 : repoA > repoB ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const bringUpToDate = async (service: string) => {
    const now = inputs.get(service);
    const print = now ? fingerprintOf(now) : 'absent';
    if (!options.force && previousState.get(service)?.fingerprint === print) return;
    const state = { service, fingerprint: print, inputs: now ? JSON.stringify(now) : '', derived_at: toClickHouseTime(nowIso()) };
    const before = now && appendable(service, now);
    const attempt = before && (await appendService(ctx, scope, service, before, now));
    if (attempt && 'rows' in attempt) {
      const counts = previousState.get(service)?.counts ?? { deployments: 0, changes: 0, incidents: 0 };
      await writer.addService(attempt.rows, {
        ...state,
        runs: [...before.runs, run],
        deployments: counts.deployments + attempt.added,
        changes: counts.changes + attempt.rows.changes.length,
        incidents: counts.incidents,
      });
      appended.push(service);
    } else {
      if (attempt) refused[service] = attempt.refused;
      // A service gone from the store gets an empty run, so its old rows stop being current.
      const rows = now ? await deriveService(ctx, service) : { deployments: [], changes: [], incidents: [], commits: [] };
      await writer.addService(rows, {
        ...state,
        runs: [run],
        deployments: rows.deployments.length,
        changes: rows.changes.length,
        incidents: rows.incidents.length,
      });
    }
    derived.push(service);
  };
  // Two services at a time: one is computed in JavaScript while the engine answers the other's queries.
  // A service whose repositories hold a deep history goes alone: two at once would hold two histories
  // (and their rows) in memory, and memory stays bounded by the largest service instead.
  const history = (service: string) => (inputs.get(service)?.repos ?? []).reduce((sum, [, commits]) => sum + (commits?.[0] ?? 0), 0);
  const deep = new Set(ordered.filter((service) => history(service) > DEEP_HISTORY));
  let done = 0;
  const runAll = async (queue: string[], workers: number) => {
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        const service = queue[next++] as string;
        await bringUpToDate(service);
        options.onProgress?.(++done, ordered.length, service);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
  };
  await runAll(
    ordered.filter((service) => !deep.has(service)),
    2,
  );
  await runAll(
    ordered.filter((service) => deep.has(service)),
    1,
  );
  await writer.flush();
  if (writer.written >= SETTLE_AFTER_ROWS && isEmbedded(client)) await settleDerivedTables(client);
  // The catalog's teams beside the derived rows, for the dashboards' team variable (writes only on a change).
  await syncServiceTeams(client, options.config);
  if (everyService) await saveStamp(client, scope, stamp);
  return { scope, run, services: services.length, derived: derived.sort(), appended: appended.sort(), refused };
}
