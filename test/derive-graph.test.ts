import { describe, expect, it } from 'vitest';
import { breakdown } from '../src/derive/changes.js';
import { CommitGraph } from '../src/derive/graph.js';

const H = 3_600_000;
// a ← b ← c ← m (merge of c and e) ← f;  a ← d ← e
const sha = (label: string) => label.repeat(40).slice(0, 40);
const graph = CommitGraph.fromCommits('acme/g', [
  { sha: sha('a'), parents: [], authoredAt: 0 },
  { sha: sha('b'), parents: [sha('a')], authoredAt: 1 },
  { sha: sha('c'), parents: [sha('b')], authoredAt: 2 },
  { sha: sha('d'), parents: [sha('a')], authoredAt: 3 },
  { sha: sha('e'), parents: [sha('d')], authoredAt: 4 },
  { sha: sha('1'), parents: [sha('c'), sha('e')], authoredAt: 5 },
  { sha: sha('f'), parents: [sha('1'), sha('9')], authoredAt: 6 },
]);
const at = (label: string) => graph.indexOf(sha(label)) as number;

describe('commit graph', () => {
  it('walks only what is new, stopping at commits already shipped', () => {
    const seen = new Uint8Array(graph.size);
    expect(graph.walkNew(at('c'), seen).map((index) => graph.shas[index]![0]).sort()).toEqual(['a', 'b', 'c']);
    // The merge brings the other branch (d, e) and itself; a, b, c were seen.
    expect(graph.walkNew(at('f'), seen).map((index) => graph.shas[index]![0]).sort()).toEqual(['1', 'd', 'e', 'f']);
    expect(graph.walkNew(at('b'), seen)).toEqual([]);
  });

  it.each([
    ['a', 'f', true],
    ['e', 'f', true],
    ['d', 'c', false],
    ['f', 'a', false],
    ['c', 'c', false],
  ])('%s is a strict ancestor of %s: %s', (ancestor, descendant, expected) => {
    expect(graph.isStrictAncestor(at(ancestor), at(descendant))).toBe(expected);
  });

  it('resolves a 7+ character prefix when exactly one commit starts with it', () => {
    const prefixed = CommitGraph.fromCommits('acme/p', [
      { sha: `abcdef1${'0'.repeat(33)}`, parents: [], authoredAt: 0 },
      { sha: `abcdef2${'0'.repeat(33)}`, parents: [], authoredAt: 0 },
      { sha: `abcdef2${'1'.repeat(33)}`, parents: [], authoredAt: 0 },
    ]);
    expect(prefixed.resolve('ABCDEF1')).toEqual({ status: 'resolved', index: 0 });
    expect(prefixed.resolve('abcdef2')).toEqual({ status: 'ambiguous', candidates: [`abcdef2${'0'.repeat(33)}`, `abcdef2${'1'.repeat(33)}`] });
    expect(prefixed.resolve('abcdef3')).toEqual({ status: 'unknown' });
  });

  it('does not hang on a cycle in bad input', () => {
    const cyclic = CommitGraph.fromCommits('acme/bad', [
      { sha: sha('x'), parents: [sha('y')], authoredAt: 0 },
      { sha: sha('y'), parents: [sha('x')], authoredAt: 0 },
      { sha: sha('z'), parents: [], authoredAt: 0 },
    ]);
    expect(cyclic.isStrictAncestor(cyclic.indexOf(sha('x'))!, cyclic.indexOf(sha('y'))!)).toBe(true);
    expect(cyclic.isStrictAncestor(cyclic.indexOf(sha('z'))!, cyclic.indexOf(sha('x'))!)).toBe(false);
    expect(cyclic.walkNew(cyclic.indexOf(sha('x'))!, new Uint8Array(3))).toHaveLength(2);
  });
});

describe('lead-time breakdown of a PR', () => {
  it.each([
    // start, created, first review, merged, shipped → coding, pickup, review, deploy, clamped
    ['in order', [0, 2, 5, 6, 9], [2, 3, 1, 3, []]],
    // No review: pickup and review unknown, not 0.
    ['no review', [0, 2, null, 6, 9], [2, null, null, 3, []]],
    // A commit amended after the PR was opened: coding held at 0; the stages still add up to 9 - 3 = 6 h.
    ['amended after opening', [3, 2, 5, 6, 9], [0, 2, 1, 3, ['coding']]],
    // Shipped "before" the merge (clock skew): deploy held at 0, and named.
    ['clock skew at deploy', [0, 2, 5, 6, 5.5], [2, 3, 1, 0, ['deploy']]],
  ] as const)('%s', (_, [start, created, review, merged, shipped], [coding, pickup, reviewing, deploy, clamped]) => {
    const hours = (value: number | null) => (value === null ? null : value * 3600);
    expect(breakdown(start * H, created * H, review === null ? null : review * H, merged * H, shipped * H)).toEqual({
      coding_seconds: hours(coding),
      pickup_seconds: hours(pickup),
      review_seconds: hours(reviewing),
      deploy_seconds: hours(deploy),
      clamped_stages: clamped,
    });
  });
});
