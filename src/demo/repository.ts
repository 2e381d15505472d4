import { eventSchemas, type CanonicalEvent, type EventInput } from '../events/schemas.js';
import { DEMO_PEOPLE } from './organisation.js';
import { demoSha, HOUR, MINUTE, type Random } from './random.js';

const VERBS = ['Add', 'Fix', 'Refactor', 'Speed up', 'Simplify', 'Remove', 'Rename', 'Test', 'Log', 'Cache'];
const NOUNS = ['cart totals', 'price rounding', 'session expiry', 'search ranking', 'image sizes', 'retry policy', 'feature flag', 'rate limiter', 'audit log', 'CSV export', 'currency codes', 'login form'];
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One repository of the sample organisation: a main branch that grows by
 * squash-merged and merge-committed pull requests, direct pushes and reverts,
 * emitted as the canonical events a GitHub collector would store.
 */
export class DemoRepository {
  readonly events: CanonicalEvent[] = [];
  /** Main's tip after each change, in time order, so a branch starts where main was. */
  private readonly tips: { at: number; sha: string }[] = [];
  private commits = 0;
  private pulls = 0;

  constructor(
    readonly repo: string,
    private readonly random: Random,
  ) {}

  get tip(): string {
    return this.tips[this.tips.length - 1]!.sha;
  }

  /** A commit on main (or, with `parents`, anywhere); returns its SHA. */
  commit(message: string, authoredAt: number, committedAt: number, options: { author?: string; parents?: string[]; onMain?: boolean } = {}): string {
    const sha = demoSha(`${this.repo}#${++this.commits}`);
    const parents = options.parents ?? (this.tips.length ? [this.tip] : []);
    this.add({ kind: 'commit', repo: this.repo, sha, parents, author: options.author ?? this.random.pick(DEMO_PEOPLE), authored_at: iso(authoredAt), committed_at: iso(committedAt), message });
    if (options.onMain ?? true) this.tips.push({ at: committedAt, sha });
    return sha;
  }

  /** A change merged into main at `mergedAt`: a pull request (squash or merge commit) or a direct push. Returns the SHA on main. */
  change(mergedAt: number, profile: { squashShare: number; directPushShare: number; medianCodingHours: number }): { sha: string; title: string } {
    const title = `${this.random.pick(VERBS)} ${this.random.pick(NOUNS)}`;
    const author = this.random.pick(DEMO_PEOPLE);
    if (this.random.chance(profile.directPushShare)) {
      const authored = mergedAt - this.random.duration(40 * MINUTE);
      return { sha: this.commit(title, authored, mergedAt, { author }), title };
    }
    const number = ++this.pulls;
    const review = this.random.duration(2 * HOUR, 1);
    const firstReview = mergedAt - review;
    const created = firstReview - this.random.duration(3 * HOUR, 1);
    const first = created - this.random.duration(profile.medianCodingHours * HOUR, 0.9);
    const count = this.random.int(1, 4);
    const own: string[] = [];
    let parent = this.tipAt(first);
    for (let i = 0; i < count; i++) {
      const at = Math.round(first + ((created - first) * i) / count);
      parent = this.commit(i === 0 ? title : `${title}: follow-up ${i}`, at, at + 5 * MINUTE, { author, parents: [parent], onMain: false });
      own.push(parent);
    }
    const squash = this.random.chance(profile.squashShare);
    const sha = squash
      ? this.commit(`${title} (#${number})`, mergedAt, mergedAt, { author })
      : this.commit(`Merge pull request #${number} from ${this.repo.split('/')[0]}/change-${number}`, mergedAt, mergedAt, { author, parents: [this.tip, parent] });
    this.add({
      kind: 'pull_request', repo: this.repo, number, title, author, created_at: iso(created), first_review_at: iso(firstReview),
      merged_at: iso(mergedAt), merge_sha: sha, base: 'main', commits: own, labels: squash ? ['squash'] : [],
    });
    return { sha, title };
  }

  /** `git revert` of a change on main. */
  revert(change: { sha: string; title: string }, at: number): { sha: string; title: string } {
    const title = `Revert "${change.title}"`;
    return { sha: this.commit(`${title}\n\nThis reverts commit ${change.sha}.`, at, at), title };
  }

  private tipAt(time: number): string {
    let found = this.tips[0]!.sha;
    for (const tip of this.tips) {
      if (tip.at > time) break;
      found = tip.sha;
    }
    return found;
  }

  add<K extends keyof typeof eventSchemas>(input: EventInput<K> & { kind: K }): void {
    // Through the public schema: the demo's events are exactly what `dora import` would accept.
    this.events.push(eventSchemas[input.kind].parse(input) as CanonicalEvent);
  }
}
