import type { DeploymentEvent } from '../../events/schemas.js';
import type { Logger } from '../../log.js';
import { git, gitStatus, type GitRun } from './process.js';
import { shortRef, type Ref } from './refs.js';

/**
 * Deploy tags as deployments. Each tag matching the pattern is a successful
 * deployment of the commit it points at, finished at the annotated tag's tagger
 * date (a lightweight tag: the commit's committer date). A tag whose commit is a
 * strict ancestor of the previous deployment's commit rolled that deployment back.
 */

export interface DeployTarget {
  repo: string;
  service: string;
  environment: string;
}

interface DeployTag {
  tag: string;
  /** The tag object (annotated) or the commit (lightweight): what identifies this deployment's content. */
  object: string;
  sha: string;
  annotated: boolean;
  finishedAt: number;
}

/** What the cursor remembers per deploy tag: `object|previous object|1 or 0 (rollback)`. */
export type TagMemory = Record<string, string>;

export const deploymentId = (service: string, tag: string) => `git:${service}:${tag}`;

/** The tags to treat as deployments, in deployment order. Tags on trees or blobs are skipped with a warning. */
export async function deployTags(refs: Ref[], matches: (tag: string) => boolean, run: GitRun, log: Logger, repo: string): Promise<DeployTag[]> {
  const tags: DeployTag[] = [];
  const undated: DeployTag[] = [];
  for (const ref of refs) {
    if (!ref.name.startsWith('refs/tags/')) continue;
    const tag = shortRef(ref.name);
    if (!matches(tag)) continue;
    if (ref.peeledType !== 'commit') {
      log.warn('deploy tag does not point at a commit; skipped', { repo, tag, points_at: `${ref.peeledType} ${ref.peeled.slice(0, 12)}` });
      continue;
    }
    const entry = { tag, object: ref.object, sha: ref.peeled, annotated: ref.type === 'tag', finishedAt: (ref.created ?? 0) * 1000 };
    (ref.created === undefined ? undated : tags).push(entry);
  }
  if (undated.length > 0) {
    // An annotated tag without a tagger line (very old git): fall back to the commit's committer date.
    const dates = await git(['log', '--no-walk=unsorted', '--stdin', '--format=%ct'], { ...run, input: undated.map((tag) => tag.sha).join('\n') + '\n' });
    dates.split('\n').forEach((seconds, index) => (undated[index]!.finishedAt = Number(seconds) * 1000));
    tags.push(...undated);
  }
  const collator = new Intl.Collator('en', { numeric: true });
  return tags.sort((a, b) => a.finishedAt - b.finishedAt || collator.compare(a.tag, b.tag));
}

/**
 * Deployment events for the tags that are new or changed since `memory`, and
 * the memory to keep. `positions` are the deployed commits' places in this
 * run's topological walk (see rollbacks).
 */
export async function deploymentEvents(
  tags: DeployTag[],
  memory: TagMemory,
  target: DeployTarget,
  run: GitRun,
  positions: Map<string, number>,
): Promise<{ events: DeploymentEvent[]; memory: TagMemory }> {
  const next: TagMemory = {};
  const events: DeploymentEvent[] = [];
  const isRollback = await rollbacks(tags, memory, run, positions);
  tags.forEach((tag, index) => {
    const previous = tags[index - 1];
    const rollback = isRollback[index]!;
    const remembered = `${tag.object}|${previous?.object ?? ''}|${rollback ? 1 : 0}`;
    next[tag.tag] = remembered;
    if (memory[tag.tag] === remembered) return;
    events.push({
      kind: 'deployment',
      id: deploymentId(target.service, tag.tag),
      service: target.service,
      environment: target.environment,
      finished_at: new Date(tag.finishedAt).toISOString(),
      status: 'success',
      source: 'git',
      repo: target.repo,
      sha: tag.sha,
      version: tag.tag,
      started_at: undefined,
      rollback_of: rollback && previous ? deploymentId(target.service, previous.tag) : undefined,
      url: undefined,
      extra: { tag_type: tag.annotated ? 'annotated' : 'lightweight' },
    });
  });
  return { events, memory: next };
}

/**
 * Whether each tag's commit is a strict ancestor of the previous tag's commit.
 * Git is asked (`merge-base --is-ancestor`, one process per pair) only when the
 * walk cannot tell: the walk shows children before parents, so a commit shown
 * before the previous deployment's is not its ancestor; and a commit new in this
 * run is never an ancestor of one an earlier run read (that one was excluded,
 * with all its ancestors). Forward deployments never cost a process; answers are
 * remembered in the cursor.
 */
async function rollbacks(tags: DeployTag[], memory: TagMemory, run: GitRun, positions: Map<string, number>): Promise<boolean[]> {
  const answers: boolean[] = new Array(tags.length).fill(false);
  const questions: number[] = [];
  tags.forEach((tag, index) => {
    const previous = tags[index - 1];
    if (!previous || previous.sha === tag.sha) return;
    const remembered = memory[tag.tag];
    if (remembered?.startsWith(`${tag.object}|${previous.object}|`)) {
      answers[index] = remembered.endsWith('|1');
      return;
    }
    const mine = positions.get(tag.sha);
    const theirs = positions.get(previous.sha);
    if (mine !== undefined && (theirs === undefined || mine < theirs)) return;
    questions.push(index);
  });
  // A few git processes at a time: one per deploy pair on the first run, none for pairs already answered.
  let next = 0;
  const worker = async () => {
    while (next < questions.length) {
      const index = questions[next++]!;
      const code = await gitStatus(['merge-base', '--is-ancestor', tags[index]!.sha, tags[index - 1]!.sha], run, [0, 1]);
      answers[index] = code === 0;
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return answers;
}
