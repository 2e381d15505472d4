import type { Config } from '../../config/schema.js';
import { App, Pipeline, PipelineCoupling } from './schema.js';
import { HerokuRequestError, type HerokuClient } from './client.js';

/** One app to collect, with everything its deployments are labelled with. */
export interface AppTarget {
  name: string;
  id: string;
  pipeline?: Pipeline;
  /** The pipeline coupling stage (`review`, `development`, `staging`, `production`, `test`). */
  stage?: string;
  environment: string;
  service: string;
  /** The catalog's repository for the service, when it names exactly one. */
  repo?: string;
}

export interface TargetFailure {
  target: string;
  reason: string;
  /** Heroku does not know it (404): a typo in the config, most likely. */
  notFound: boolean;
}

export interface TargetList {
  apps?: string[] | undefined;
  pipelines?: string[] | undefined;
}

/**
 * The apps of the configured pipelines, then the configured apps (each once). A
 * pipeline or app Heroku does not know, or refuses, is reported and the others go on.
 */
export async function resolveTargets(
  client: HerokuClient,
  list: TargetList,
  agent: Config,
): Promise<{ targets: AppTarget[]; failures: TargetFailure[] }> {
  const targets = new Map<string, AppTarget>();
  const failures: TargetFailure[] = [];
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof HerokuRequestError)) throw error;
      failures.push({ target: what, reason: error.message, notFound: error.status === 404 });
    }
  };

  for (const name of list.pipelines ?? []) {
    await attempt(`pipeline "${name}"`, async () => {
      const pipeline = await client.get(`/pipelines/${encodeURIComponent(name)}`, Pipeline);
      for (const coupling of await couplingsOf(client, pipeline.id)) {
        const app = await client.get(`/apps/${encodeURIComponent(coupling.app.id)}`, App);
        if (!targets.has(app.name)) targets.set(app.name, target(app, agent, pipeline, coupling.stage));
      }
    });
  }
  for (const name of list.apps ?? []) {
    if (targets.has(name)) continue;
    await attempt(`app "${name}"`, async () => {
      const app = await client.get(`/apps/${encodeURIComponent(name)}`, App);
      const coupling = await couplingOf(client, app.name);
      const pipeline = coupling ? await client.get(`/pipelines/${encodeURIComponent(coupling.pipeline.id)}`, Pipeline) : undefined;
      targets.set(app.name, target(app, agent, pipeline, coupling?.stage));
    });
  }
  return { targets: [...targets.values()], failures };
}

export async function couplingsOf(client: HerokuClient, pipelineId: string): Promise<PipelineCoupling[]> {
  const couplings: PipelineCoupling[] = [];
  for await (const page of client.pages(`/pipelines/${encodeURIComponent(pipelineId)}/pipeline-couplings`)) {
    for (const item of page) {
      const parsed = PipelineCoupling.safeParse(item);
      if (parsed.success) couplings.push(parsed.data);
    }
  }
  return couplings;
}

/** The app's pipeline coupling; an app in no pipeline answers 404. */
async function couplingOf(client: HerokuClient, app: string): Promise<PipelineCoupling | undefined> {
  try {
    return await client.get(`/apps/${encodeURIComponent(app)}/pipeline-couplings`, PipelineCoupling);
  } catch (error) {
    if (error instanceof HerokuRequestError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * The coupling stage names the environment; an app in no pipeline is production.
 * Production is named `production` unless the config's production list leaves that
 * name out (`"production": ["live"]`): then its first name, so it still counts.
 */
export function environmentFor(stage: string | undefined, agent: Config): string {
  const environment = stage ?? 'production';
  if (environment !== 'production') return environment;
  return agent.production.some((name) => name.toLowerCase() === 'production') ? 'production' : agent.production[0]!;
}

/**
 * Service: the catalog's service whose `heroku` list names the app, else the pipeline's
 * name, else the app's.
 */
function target(app: App, agent: Config, pipeline: Pipeline | undefined, stage: string | undefined): AppTarget {
  const entry = Object.entries(agent.services).find(([, service]) => service.heroku.includes(app.name));
  const repos = entry?.[1].repos ?? [];
  return {
    name: app.name,
    id: app.id,
    ...(pipeline ? { pipeline } : {}),
    ...(stage ? { stage } : {}),
    environment: environmentFor(stage, agent),
    service: entry?.[0] ?? pipeline?.name ?? app.name,
    ...(repos.length === 1 ? { repo: repos[0]! } : {}),
  };
}
