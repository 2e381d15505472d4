import { describe, expect, it } from 'vitest';
import { freshCursor, readAppCursor, releasesRange, writeAppCursor, type AppCursor } from '../src/collectors/heroku/cursor.js';
import { ReleaseFold, type FoldOptions } from '../src/collectors/heroku/releases.js';
import { asSha, describeRelease, type Release } from '../src/collectors/heroku/schema.js';
import { environmentFor } from '../src/collectors/heroku/targets.js';
import { Config } from '../src/config/schema.js';
import type { Logger } from '../src/log.js';

/** The release mapping on its own: releases in, deployments out (no server, no store). */

const NOW = Date.parse('2026-03-10T12:00:00Z');

function release(version: number, description: string, slug: string | null, status: Release['status'] = 'succeeded', at = '2026-03-10T10:00:00Z'): Release {
  return { id: `rel-${version}`, version, description, status, created_at: at, updated_at: at, slug: slug ? { id: slug } : null };
}

async function fold(releases: Release[], options: Partial<FoldOptions> = {}, cursor: AppCursor = freshCursor()) {
  const warnings: string[] = [];
  const log: Logger = { info: () => {}, warn: (message) => void warnings.push(message), error: () => {} };
  const mapper = new ReleaseFold(cursor, {
    target: { name: 'app', id: 'app-id', environment: 'production', service: 'app' },
    includeConfigReleases: true,
    // As CommitResolver does, minus HTTP: the slug id stands for its commit, else the text's SHA.
    commitOf: async (item, described) =>
      item.slug ? { sha: item.slug.id.padEnd(40, '0'), from: 'slug' } : described.sha ? { sha: described.sha, from: 'description' } : {},
    log,
    now: () => NOW,
    pendingTimeoutMs: 24 * 3_600_000,
    ...options,
  });
  for (const item of releases) await mapper.add(item);
  const events = mapper.take();
  const byVersion = Object.fromEntries(events.map((event) => [event.version, event]));
  return { events, byVersion, cursor: mapper.cursor, stopped: mapper.stopped, warnings };
}

describe('release descriptions', () => {
  it.each([
    ['Rollback to v41', 41],
    ['Rollback to v41 (by someone@example.com)', 41],
    ['rollback to v7', 7],
    ['Rolled back to v41', undefined],
    ['Rollback to version 41', undefined],
    ['Deploy 1a2b3c4', undefined],
  ])('%s -> rollback target %s', (text, target) => {
    expect(describeRelease(text).rollbackTo).toEqual(target);
  });

  it('reads the promotion source and the SHAs Heroku writes', () => {
    expect(describeRelease('Promote shop-staging v12 1A2B3C4')).toEqual({ announcesCode: true, promotedFrom: { app: 'shop-staging', version: 12 }, sha: '1a2b3c4' });
    expect(describeRelease('Deploy de63889')).toEqual({ announcesCode: true, sha: 'de63889' });
    expect(describeRelease('Set FOO config vars')).toEqual({ announcesCode: false });
    expect(asSha('v1.2.3')).toEqual(undefined);
    expect(asSha(' ABCDEF0123 ')).toEqual('abcdef0123');
  });

  it('asks for the releases after the cursor, oldest first', () => {
    expect(releasesRange(freshCursor(), 1000)).toEqual('version ..; max=1000, order=asc');
    expect(releasesRange({ version: 41, slug: null, live: null }, 200)).toEqual('version ]41..; max=200, order=asc');
  });
});

describe('environment of an app', () => {
  it.each([
    ['staging', undefined, 'staging'],
    ['production', undefined, 'production'],
    [undefined, undefined, 'production'],
    ['production', ['live', 'Prod'], 'live'],
    [undefined, ['Production'], 'production'],
    ['review', ['live'], 'review'],
  ])('stage %s with production names %s -> %s', (stage, production, expected) => {
    expect(environmentFor(stage, Config.parse(production ? { production } : {}))).toEqual(expected);
  });
});

describe('release mapping', () => {
  it('a rollback replaces the deployment that was live, whatever config came between', async () => {
    const { byVersion, events } = await fold([
      release(1, 'Deploy aaaaaaa', 'aaaa'),
      release(2, 'Deploy bbbbbbb', 'bbbb'),
      release(3, 'Set FOO config vars', 'bbbb'),
      release(4, 'Rollback to v1 (by ops@example.com)', 'aaaa'),
    ]);
    expect(events.map((event) => event.version)).toEqual(['v1', 'v2', 'v4']);
    expect(byVersion.v4!.rollback_of).toEqual('heroku:app:v2');
    expect(byVersion.v4!.extra.heroku_rollback_to).toEqual('v1');
    expect(byVersion.v2!.extra.heroku_rolled_back_by).toEqual('heroku:app:v4');
    expect(byVersion.v2!.extra.heroku_config_releases).toEqual('["v3 Set FOO config vars"]');
  });

  it('a rollback that only restores config (same slug) is not a deployment', async () => {
    const { events } = await fold([release(1, 'Deploy aaaaaaa', 'aaaa'), release(2, 'Set FOO config vars', 'aaaa'), release(3, 'Rollback to v1', 'aaaa')]);
    expect(events.map((event) => [event.version, event.rollback_of, event.extra.heroku_config_releases])).toEqual([
      ['v1', undefined, '["v2 Set FOO config vars","v3 Rollback to v1"]'],
    ]);
  });

  it('a failed release never goes live: the next rollback replaces the last live one', async () => {
    const { byVersion } = await fold([
      release(1, 'Deploy aaaaaaa', 'aaaa'),
      release(2, 'Deploy bbbbbbb', 'bbbb'),
      release(3, 'Deploy ccccccc', 'cccc', 'failed'),
      release(4, 'Rollback to v1', 'aaaa'),
    ]);
    expect(byVersion.v3!.status).toEqual('failure');
    expect(byVersion.v4!.rollback_of).toEqual('heroku:app:v2');
  });

  it('new code is told by the slug, not the text', async () => {
    const { events } = await fold([release(1, 'Deploy aaaaaaa', 'aaaa'), release(2, 'something unexpected', 'bbbb'), release(3, 'Deploy ccccccc', 'bbbb')]);
    // v2 has a new slug whatever its text says; v3 says "Deploy" but runs v2's slug.
    expect(events.map((event) => event.version)).toEqual(['v1', 'v2']);
  });

  it('a release without a slug is a deployment only when its text announces code, with the SHA from the text', async () => {
    const { events, warnings } = await fold([release(1, 'Initial release', null), release(2, 'Set DATABASE_URL config vars', null), release(3, 'Deploy 0123abc', null)]);
    expect(events.map((event) => [event.version, event.sha, event.extra.heroku_commit_from])).toEqual([['v3', '0123abc', 'description']]);
    expect(warnings).toEqual(['heroku release without a slug taken as a deployment from its description']);
  });

  it('maps expired to cancelled, and a failed rollback carries no rollback_of', async () => {
    const { byVersion } = await fold([release(1, 'Deploy aaaaaaa', 'aaaa'), release(2, 'Deploy bbbbbbb', 'bbbb', 'expired'), release(3, 'Rollback to v1', 'cccc', 'failed')]);
    expect(byVersion.v2!.status).toEqual('cancelled');
    expect([byVersion.v3!.status, byVersion.v3!.rollback_of]).toEqual(['failure', undefined]);
  });

  it('stops at a pending release and keeps the cursor before it', async () => {
    const result = await fold([release(1, 'Deploy aaaaaaa', 'aaaa'), release(2, 'Deploy bbbbbbb', 'bbbb', 'pending', '2026-03-10T11:30:00Z'), release(3, 'Set X config vars', 'bbbb')]);
    expect(result.events.map((event) => [event.version, event.status])).toEqual([
      ['v1', 'success'],
      ['v2', 'in_progress'],
    ]);
    expect([result.stopped, result.cursor.version, result.cursor.slug]).toEqual([true, 1, 'aaaa']);
  });

  it('passes over a release pending for longer than the timeout', async () => {
    // Created 2026-03-09T10:00Z, 26 h before NOW: past the 24 h timeout.
    const result = await fold([release(1, 'Deploy aaaaaaa', 'aaaa'), release(2, 'Deploy bbbbbbb', 'bbbb', 'pending', '2026-03-09T10:00:00Z'), release(3, 'Deploy ccccccc', 'cccc')]);
    expect(result.events.map((event) => [event.version, event.status])).toEqual([
      ['v1', 'success'],
      ['v2', 'in_progress'],
      ['v3', 'success'],
    ]);
    expect([result.stopped, result.cursor.version]).toEqual([false, 3]);
    expect(result.warnings).toEqual(['heroku release still pending; passed over']);
  });

  it('carries the live deployment across runs through the cursor', async () => {
    const first = await fold([release(1, 'Deploy aaaaaaa', 'aaaa'), release(2, 'Deploy bbbbbbb', 'bbbb')]);
    const log: Logger = { info: () => {}, warn: () => {}, error: () => {} };
    const saved = readAppCursor(writeAppCursor(first.cursor), 'app', log);
    expect([saved.version, saved.slug, saved.live?.id]).toEqual([2, 'bbbb', 'heroku:app:v2']);
    // Next run: a config change, then a rollback, both about v2 written by the previous run.
    const second = await fold([release(3, 'Set FOO config vars', 'bbbb'), release(4, 'Rollback to v1', 'aaaa')], {}, saved);
    expect(second.events.map((event) => [event.id, event.sha, event.rollback_of, event.extra.heroku_rolled_back_by, event.extra.heroku_config_releases])).toEqual([
      ['heroku:app:v2', 'bbbb'.padEnd(40, '0'), undefined, 'heroku:app:v4', '["v3 Set FOO config vars"]'],
      ['heroku:app:v4', 'aaaa'.padEnd(40, '0'), 'heroku:app:v2', undefined, undefined],
    ]);
  });

  it('starts an app over when its cursor cannot be read', () => {
    const warnings: string[] = [];
    const log: Logger = { info: () => {}, warn: (message, fields) => void warnings.push(`${message} ${JSON.stringify(fields)}`), error: () => {} };
    expect(readAppCursor('{"version":"seven"}', 'shop-prod', log)).toEqual(freshCursor());
    expect(readAppCursor('not json', 'shop-prod', log)).toEqual(freshCursor());
    expect(warnings).toEqual(Array(2).fill('heroku cursor unreadable; collecting the app from its first release {"app":"shop-prod"}'));
  });

  it('leaves config releases out when includeConfigReleases is false', async () => {
    const { events } = await fold([release(1, 'Deploy aaaaaaa', 'aaaa'), release(2, 'Set FOO config vars', 'aaaa')], { includeConfigReleases: false });
    expect(events.map((event) => event.extra.heroku_config_releases)).toEqual([undefined]);
  });
});
