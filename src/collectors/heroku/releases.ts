import { DeploymentEvent, type DeploymentStatus } from '../../events/schemas.js';
import type { Logger } from '../../log.js';
import type { ResolvedCommit } from './commits.js';
import type { AppCursor } from './cursor.js';
import { describeRelease, type DescribedRelease, type Release } from './schema.js';
import type { AppTarget } from './targets.js';

export interface FoldOptions {
  target: AppTarget;
  /** Note config and add-on releases on the deployment that was live (`extra.heroku_config_releases`). */
  includeConfigReleases: boolean;
  commitOf(release: Release, described: DescribedRelease): Promise<ResolvedCommit>;
  log: Logger;
  now: () => number;
  /** A release pending longer than this is passed over (it holds the cursor until then). */
  pendingTimeoutMs: number;
}

/** Config releases kept on a deployment: the latest ones. */
const CONFIG_NOTES = 20;

const statusOf: Record<Release['status'], DeploymentStatus> = {
  succeeded: 'success',
  failed: 'failure',
  pending: 'in_progress',
  expired: 'cancelled',
};

/** `heroku:<app>:v<N>`: stable across runs, and it reads like the `heroku releases` listing. */
export const deploymentId = (app: string, version: number) => `heroku:${app}:v${version}`;

/**
 * Turns an app's releases, oldest first, into deployments. A release is new code when
 * its slug differs from the live one (a build or a promotion); a release with the live
 * slug is a config or add-on change. See readme.md for the whole mapping.
 */
export class ReleaseFold {
  private readonly out = new Map<string, DeploymentEvent>();
  /** A pending release was met: nothing after it is read until it settles. */
  stopped = false;

  constructor(
    readonly cursor: AppCursor,
    private readonly options: FoldOptions,
  ) {}

  async add(release: Release): Promise<void> {
    if (this.stopped || release.version <= this.cursor.version) return;
    const { target, log } = this.options;
    const described = describeRelease(release.description);
    const isCode = release.slug ? release.slug.id !== this.cursor.slug : described.announcesCode;
    if (!release.slug && isCode) log.warn('heroku release without a slug taken as a deployment from its description', { app: target.name, version: release.version });

    if (release.status === 'pending') {
      const ageMs = this.options.now() - Date.parse(release.created_at);
      if (ageMs < this.options.pendingTimeoutMs) {
        // Not final: shown as in progress, read again next run (the cursor stays before it).
        const event = isCode ? await this.deployment(release, described, 'in_progress') : undefined;
        if (event) this.emit(event);
        this.stopped = true;
        return;
      }
      log.warn('heroku release still pending; passed over', { app: target.name, version: release.version, hours: Math.round(ageMs / 3_600_000) });
    }
    if (!isCode) {
      this.config(release);
    } else {
      const event = await this.deployment(release, described, statusOf[release.status]);
      if (event?.status === 'success') this.wentLive(event, release, described);
      else if (event) this.emit(event);
    }
    this.cursor.version = release.version;
  }

  /** The deployments made or updated since the last call (each id once, newest state). */
  take(): DeploymentEvent[] {
    const events = [...this.out.values()];
    this.out.clear();
    return events;
  }

  private wentLive(event: DeploymentEvent, release: Release, described: DescribedRelease): void {
    const replaced = this.cursor.live;
    if (described.rollbackTo !== undefined) {
      if (replaced) {
        // The rollback replaces what was live, and marks it: DESIGN §4 counts it as failed.
        event.rollback_of = replaced.id;
        this.emit({ ...replaced, extra: { ...replaced.extra, heroku_rolled_back_by: event.id } });
      } else {
        this.options.log.warn('heroku rollback with no earlier deployment seen', { app: this.options.target.name, version: release.version });
      }
    }
    this.emit(event);
    this.cursor.live = event;
    this.cursor.slug = release.slug?.id ?? null;
  }

  private config(release: Release): void {
    const live = this.cursor.live;
    if (!this.options.includeConfigReleases || !live) return;
    const notes = JSON.parse(live.extra.heroku_config_releases ?? '[]') as string[];
    const status = release.status === 'succeeded' ? '' : ` (${release.status})`;
    notes.push(`v${release.version} ${release.description}${status}`.trim());
    this.cursor.live = { ...live, extra: { ...live.extra, heroku_config_releases: JSON.stringify(notes.slice(-CONFIG_NOTES)) } };
    this.emit(this.cursor.live);
  }

  private async deployment(release: Release, described: DescribedRelease, status: DeploymentStatus): Promise<DeploymentEvent | undefined> {
    const { target, log } = this.options;
    const commit = await this.options.commitOf(release, described);
    const extra: Record<string, string> = {
      heroku_app: target.name,
      heroku_release_id: release.id,
      heroku_description: release.description,
    };
    if (release.slug) extra.heroku_slug_id = release.slug.id;
    if (target.pipeline) extra.heroku_pipeline = target.pipeline.name;
    if (target.stage) extra.heroku_stage = target.stage;
    if (described.rollbackTo !== undefined) extra.heroku_rollback_to = `v${described.rollbackTo}`;
    if (described.promotedFrom) extra.heroku_promoted_from = `${described.promotedFrom.app} v${described.promotedFrom.version}`;
    if (commit.from) extra.heroku_commit_from = commit.from;
    if (commit.raw) extra.heroku_slug_commit = commit.raw;
    const parsed = DeploymentEvent.safeParse({
      kind: 'deployment',
      id: deploymentId(target.name, release.version),
      service: target.service,
      environment: target.environment,
      status,
      // updated_at is when the release settled (after its release phase): when it went live.
      finished_at: release.updated_at ?? release.created_at,
      started_at: release.created_at,
      source: 'heroku',
      repo: target.repo,
      sha: commit.sha,
      version: `v${release.version}`,
      url: `https://dashboard.heroku.com/apps/${encodeURIComponent(target.name)}/activity`,
      extra,
    });
    if (parsed.success) return parsed.data;
    log.warn('heroku release skipped: cannot be mapped to a deployment', {
      app: target.name,
      version: release.version,
      reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
    return undefined;
  }

  private emit(event: DeploymentEvent): void {
    this.out.delete(event.id);
    this.out.set(event.id, event);
  }
}
