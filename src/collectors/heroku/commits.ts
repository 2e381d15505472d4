import type { Logger } from '../../log.js';
import { HerokuRequestError, type HerokuClient } from './client.js';
import { asSha, Build, Slug, type DescribedRelease, type Release } from './schema.js';
import { couplingsOf, type AppTarget } from './targets.js';

export interface ResolvedCommit {
  sha?: string;
  /** Where the SHA came from: the slug's `commit`, a build's `source_blob.version`, or the release text. */
  from?: 'slug' | 'build' | 'description';
  /** A slug `commit` that is not a git SHA (set through the API by hand), kept for the record. */
  raw?: string;
}

/**
 * The commit a release runs. The slug says it for git pushes and promotions (a promotion
 * reuses the upstream slug, so production gets the staging commit). When the slug does
 * not, the build that made the slug does — on this app or, for a promoted slug, on
 * another app of the pipeline; the release text ("Deploy 1a2b3c4") is the last resort.
 * Lookups are cached for the run: a promoted slug is read once for all its apps.
 */
export class CommitResolver {
  private readonly slugs = new Map<string, Promise<Slug | undefined>>();
  private readonly builds = new Map<string, Promise<Map<string, string>>>();
  private readonly pipelineApps = new Map<string, Promise<string[]>>();
  private readonly prefetched = new Set<string>();

  constructor(
    private readonly client: HerokuClient,
    private readonly log: Logger,
  ) {}

  /**
   * Read the builds of the app and its pipeline now: one request per 1000 builds
   * instead of one per slug, for a first run over a long history (Heroku allows
   * about 4,500 requests an hour).
   */
  async prefetch(target: AppTarget): Promise<void> {
    this.prefetched.add(target.id);
    for (const appId of [target.id, ...(await this.siblings(target))]) await this.buildsOf(appId);
  }

  async resolve(target: AppTarget, release: Release, described: DescribedRelease): Promise<ResolvedCommit> {
    const slugId = release.slug?.id;
    let raw: string | undefined;
    if (slugId && this.prefetched.has(target.id)) {
      const built = await this.fromBuilds(target, slugId);
      if (built) return { sha: built, from: 'build' };
    }
    if (slugId) {
      const slug = await this.slug(target, slugId);
      const sha = asSha(slug?.commit);
      if (sha) return { sha, from: 'slug' };
      if (slug?.commit) raw = slug.commit;
      const built = await this.fromBuilds(target, slugId);
      if (built) return { sha: built, from: 'build', ...(raw ? { raw } : {}) };
    }
    if (described.sha) return { sha: described.sha, from: 'description', ...(raw ? { raw } : {}) };
    this.log.warn('heroku release without a known commit', { app: target.name, version: release.version, slug: slugId ?? null });
    return raw ? { raw } : {};
  }

  private async fromBuilds(target: AppTarget, slugId: string): Promise<string | undefined> {
    for (const appId of [target.id, ...(await this.siblings(target))]) {
      const built = asSha((await this.buildsOf(appId)).get(slugId));
      if (built) return built;
    }
    return undefined;
  }

  private slug(target: AppTarget, id: string): Promise<Slug | undefined> {
    let pending = this.slugs.get(id);
    if (!pending) {
      pending = this.client.get(`/apps/${encodeURIComponent(target.name)}/slugs/${encodeURIComponent(id)}`, Slug).catch((error: unknown) => {
        // An old slug may be gone; the build or the release text may still name the commit.
        if (error instanceof HerokuRequestError && error.status === 404) return undefined;
        throw error;
      });
      this.slugs.set(id, pending);
    }
    return pending;
  }

  /** slug id -> commit, from every build of the app. */
  private buildsOf(appId: string): Promise<Map<string, string>> {
    let pending = this.builds.get(appId);
    if (!pending) {
      pending = (async () => {
        const bySlug = new Map<string, string>();
        for await (const page of this.client.pages(`/apps/${encodeURIComponent(appId)}/builds`, 'id ..; max=1000')) {
          for (const item of page) {
            const build = Build.safeParse(item);
            const version = build.success ? build.data.source_blob?.version : undefined;
            if (build.success && build.data.slug?.id && version) bySlug.set(build.data.slug.id, version);
          }
        }
        return bySlug;
      })();
      this.builds.set(appId, pending);
    }
    return pending;
  }

  /** The other apps of the target's pipeline (ids), where a promoted slug was built. */
  private siblings(target: AppTarget): Promise<string[]> {
    const pipelineId = target.pipeline?.id;
    if (!pipelineId) return Promise.resolve([]);
    let pending = this.pipelineApps.get(pipelineId);
    if (!pending) {
      pending = couplingsOf(this.client, pipelineId).then((couplings) => couplings.map((coupling) => coupling.app.id));
      this.pipelineApps.set(pipelineId, pending);
    }
    return pending.then((ids) => ids.filter((id) => id !== target.id));
  }
}
