import type { CanonicalEvent } from '../events/schemas.js';
import { DEMO_SERVICES, HISTORY_START, WINDOW_END, WINDOW_START, type ServiceProfile } from './organisation.js';
import { DAY, HOUR, MINUTE, Random } from './random.js';
import { DemoRepository } from './repository.js';

/**
 * The sample organisation's history as canonical events: commits and pull
 * requests, deployments (with failed attempts), incidents, and their remedies
 * (a rollback, or a revert shipped as a fix). Seeded and dated from fixed
 * dates: the same seed gives the same events.
 */
export function generateDemo(seed: number): CanonicalEvent[] {
  return DEMO_SERVICES.flatMap((profile, index) => new ServiceHistory(profile, new Random(seed * 7919 + index * 104_729 + 1)).run());
}

type Change = { sha: string; title: string };

class ServiceHistory {
  private readonly repo: DemoRepository;
  private releases = 0;
  private incidents = 0;
  /** Successful production deployments: id and commit. */
  private readonly shipped: { id: string; sha: string }[] = [];
  private unshipped: Change[] = [];
  /** No merge or deploy before this time (the team is busy with an incident). */
  private busyUntil = 0;
  private rolledBackInWindow = false;

  constructor(
    private readonly profile: ServiceProfile,
    private readonly random: Random,
  ) {
    this.repo = new DemoRepository(profile.repo, random);
  }

  run(): CanonicalEvent[] {
    // A month of history before the first deployment, which only sets the baseline.
    for (let i = 0; i < 30; i++) this.repo.commit(i === 0 ? 'Initial commit' : `Build ${this.profile.service}, step ${i}`, HISTORY_START - (30 - i) * DAY, HISTORY_START - (30 - i) * DAY);
    this.deploy(HISTORY_START + 10 * HOUR);
    for (let day = HISTORY_START + DAY; day < WINDOW_END; day += DAY) {
      const weekday = new Date(day).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const steps: { at: number; deploy: boolean }[] = [];
      for (let i = this.random.poisson(this.profile.changesPerDay); i > 0; i--) steps.push({ at: day + this.random.int(9 * 60, 18 * 60) * MINUTE, deploy: false });
      if (this.random.chance(this.profile.deployDayChance)) {
        steps.push({ at: day + this.random.int(10 * 60, 13 * 60) * MINUTE, deploy: true });
        if (this.random.chance(this.profile.secondDeployChance)) steps.push({ at: day + this.random.int(14 * 60, 17 * 60) * MINUTE, deploy: true });
      }
      for (const step of steps.sort((a, b) => a.at - b.at)) {
        if (step.at < this.busyUntil) continue;
        if (step.deploy) this.deploy(step.at);
        else this.unshipped.push(this.repo.change(step.at, this.profile));
      }
      if (this.random.chance(this.profile.outageChance)) {
        const opened = day + this.random.int(0, 23 * 60) * MINUTE;
        this.addIncident(opened, opened + this.random.duration(HOUR, 0.8), 'Upstream provider outage');
      }
    }
    // One incident still open when the window closes: counted apart, never as a restore time.
    if (this.profile.service === 'search') this.addIncident(WINDOW_END - 2 * DAY + 15 * HOUR, undefined, 'Slow queries on large catalogs');
    return this.repo.events;
  }

  private deploy(at: number): void {
    const previous = this.shipped[this.shipped.length - 1];
    if (previous?.sha === this.repo.tip) return;
    let finished = at;
    if (this.shipped.length > 0 && this.random.chance(this.profile.failedAttemptChance)) {
      this.release(at, this.repo.tip, 'failure');
      finished = at + this.random.duration(25 * MINUTE, 0.4);
    }
    const id = this.release(finished, this.repo.tip, 'success');
    const shippedChanges = this.unshipped;
    this.unshipped = [];
    if (previous && this.random.chance(this.profile.incidentChance)) this.incident(id, finished, previous, shippedChanges);
  }

  /** A production deployment event; returns its id. */
  private release(finished: number, sha: string, status: 'success' | 'failure', rollbackOf?: string): string {
    const number = ++this.releases;
    const heroku = this.profile.platform === 'heroku';
    const id = heroku ? `heroku:acme-${this.profile.service}:v${number}` : status === 'success' ? `git:${this.profile.service}:v1.${number}.0` : `ci:${this.profile.service}:${number}`;
    this.repo.add({
      kind: 'deployment', id, service: this.profile.service, environment: 'production', status,
      finished_at: new Date(finished).toISOString(), started_at: new Date(finished - this.random.duration(4 * MINUTE, 0.3)).toISOString(),
      source: heroku ? 'heroku' : status === 'success' ? 'git' : 'ci', repo: this.profile.repo, sha, version: heroku ? `v${number}` : `v1.${number}.0`,
      ...(rollbackOf ? { rollback_of: rollbackOf } : {}),
    });
    if (status === 'success') this.shipped.push({ id, sha });
    return id;
  }

  /** The deployment hurt users: an incident, then a rollback, a revert shipped as a fix, or a feature flag turned off. */
  private incident(culprit: string, deployedAt: number, previous: { id: string; sha: string }, changes: Change[]): void {
    const opened = deployedAt + this.random.duration(40 * MINUTE, 0.7);
    const bad = changes.length ? this.random.pick(changes) : { sha: this.repo.tip, title: 'the last change' };
    // The first incident of the report window always ends in a rollback, so every seed shows one of each kind.
    const remedy = opened >= WINDOW_START && !this.rolledBackInWindow ? 0 : this.random.next();
    let restored: number;
    if (remedy < 0.4) {
      if (opened >= WINDOW_START) this.rolledBackInWindow = true;
      // Back to the previous release; Heroku says so, a tag leaves it to be inferred.
      restored = opened + this.random.duration(25 * MINUTE, 0.5);
      this.release(restored, previous.sha, 'success', this.profile.platform === 'heroku' ? culprit : undefined);
      this.unshipped.push(this.repo.revert(bad, restored + HOUR));
      this.busyUntil = restored + HOUR;
    } else if (remedy < 0.75) {
      const reverted = this.repo.revert(bad, opened + this.random.duration(30 * MINUTE, 0.5));
      restored = opened + this.random.duration(90 * MINUTE, 0.5) + 30 * MINUTE;
      this.release(restored, reverted.sha, 'success');
      this.unshipped = [];
      this.busyUntil = restored;
    } else {
      // Turned off behind a flag: restored without any deployment.
      restored = opened + this.random.duration(35 * MINUTE, 0.6);
    }
    // Half the incidents name their deployment; the others are linked by time.
    this.addIncident(opened, restored + this.random.duration(10 * MINUTE, 0.5), `Errors after "${bad.title}"`, this.random.chance(0.5) ? culprit : undefined);
  }

  private addIncident(opened: number, resolved: number | undefined, title: string, deployment?: string): void {
    this.repo.add({
      kind: 'incident', id: `PD-${this.profile.service.toUpperCase()}-${++this.incidents}`, service: this.profile.service,
      opened_at: new Date(opened).toISOString(), ...(resolved === undefined ? {} : { resolved_at: new Date(resolved).toISOString() }),
      title, severity: this.random.pick(['SEV1', 'SEV2', 'SEV2', 'SEV3']), source: 'pagerduty', ...(deployment ? { deployment } : {}),
    });
  }
}
