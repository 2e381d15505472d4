import { describe, expect, it } from 'vitest';
import { Config } from '../../config/schema.js';
import { graphqlBaseUrl } from './client.js';
import { resolveSince } from '../since.js';
import { GithubConfig, globMatcher, repoSelected } from './config.js';
import { planKind, Watermark } from './cursor.js';
import { canonicalEnvironment, deploymentOutcome, serviceFor } from './events.js';
import { referencesIn, severityOf } from './incidents.js';
import { mergeConcurrent } from './merge.js';
import type { DeploymentNode } from './schema.js';

const deployment = (states: [string, string][]): DeploymentNode => ({
  databaseId: 1, createdAt: '2026-03-01T10:00:00Z', updatedAt: '2026-03-01T10:00:00Z', commitOid: 'a'.repeat(40),
  statuses: { totalCount: states.length, nodes: states.map(([state, time]) => ({ state, createdAt: `2026-03-01T${time}:00Z` })) },
});

describe('deployment outcome from the status history (edge case 6)', () => {
  it.each([
    ['queued, in progress, success, inactive: a success at the success', [['QUEUED', '10:00'], ['IN_PROGRESS', '10:01'], ['SUCCESS', '10:05'], ['INACTIVE', '12:00']], 'success', '10:05', true],
    ['listed newest first: the order does not matter', [['INACTIVE', '12:00'], ['SUCCESS', '10:05'], ['QUEUED', '10:00']], 'success', '10:05', true],
    ['failure', [['QUEUED', '10:00'], ['FAILURE', '10:03']], 'failure', '10:03', true],
    ['error', [['PENDING', '10:00'], ['ERROR', '10:02']], 'failure', '10:02', true],
    ['failure then a retried status succeeds', [['FAILURE', '10:03'], ['IN_PROGRESS', '10:04'], ['SUCCESS', '10:09']], 'success', '10:09', true],
    ['replaced before it finished', [['QUEUED', '10:00'], ['INACTIVE', '10:30']], 'cancelled', '10:30', true],
    ['still running', [['QUEUED', '10:00'], ['IN_PROGRESS', '10:01']], 'in_progress', '10:01', false],
    ['waiting for approval', [['WAITING', '10:01']], 'in_progress', '10:01', false],
    ['no status at all: in progress since it was created', [], 'in_progress', '10:00', false],
  ] as const)('%s', (_name, states, status, time, terminal) => {
    const outcome = deploymentOutcome(deployment(states as unknown as [string, string][]));
    expect([outcome.status, outcome.finishedAt, outcome.terminal]).toEqual([status, `2026-03-01T${time}:00Z`, terminal]);
  });
});

describe('incident references', () => {
  it.each([
    ['Errors since 3f9a2c1 went out', { shas: ['3f9a2c1'] }],
    ['see https://github.com/acme/api/commit/3F9A2C1D8E7B6A5F4E3D2C1B0A9F8E7D6C5B4A39', { shas: ['3f9a2c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39'] }],
    ['Rolled out in github:acme/api:1234; also abc1234', { deployment: 'github:acme/api:1234', shas: ['abc1234'] }],
    // Words made of hex letters, and numbers, are not SHAs.
    ['deadbeef defaced 1234567 and #12345678', { shas: [] }],
  ])('%s', (text, expected) => {
    expect(referencesIn(text)).toEqual(expected);
  });

  it.each([
    [['incident', 'sev2'], 'sev2'],
    [['SEV-1'], 'sev1'],
    [['severity: High'], 'high'],
    [['p1'], 'P1'],
    [['incident', 'bug'], undefined],
  ])('severity of %j is %s', (labels, severity) => {
    expect(severityOf(labels)).toEqual(severity);
  });
});

describe('configuration', () => {
  const agent = Config.parse({ production: ['production', 'prod', 'live'], services: { jobs: { repos: ['Acme/Worker'] } } });
  const config = GithubConfig.parse({ org: 'acme', environments: ['eu-*=production'] });

  it('maps environments: explicit globs first, then the production list to its first name', () => {
    expect(['eu-west', 'Prod', 'LIVE', 'staging'].map((name) => canonicalEnvironment(name, config, agent))).toEqual(['production', 'production', 'production', 'staging']);
  });

  it('names services from the catalog, case-insensitively, else the repository name', () => {
    expect([serviceFor('acme/worker', agent), serviceFor('acme/api', agent)]).toEqual(['jobs', 'api']);
  });

  it('selects repositories by include and exclude globs on name or owner/name', () => {
    const selection = { include: ['svc-*', 'acme/tools'], exclude: ['svc-legacy*'] };
    expect(['acme/svc-api', 'acme/svc-legacy-1', 'acme/tools', 'acme/web'].filter((repo) => repoSelected(selection, repo))).toEqual(['acme/svc-api', 'acme/tools']);
    expect(globMatcher('a?c')('ABC')).toBe(true);
    expect(globMatcher('*')('acme/api')).toBe(false);
  });

  it('resolves since: a date, an ISO time, days back, or 180 days by default', () => {
    const now = Date.parse('2026-03-31T00:00:00Z');
    expect([resolveSince('2026-01-15', now), resolveSince('2026-01-15T10:00:00+02:00', now), resolveSince('30d', now), resolveSince(undefined, now)]).toEqual([
      '2026-01-15T00:00:00.000Z', '2026-01-15T08:00:00.000Z', '2026-03-01T00:00:00.000Z', '2025-10-02T00:00:00.000Z',
    ]);
  });

  it.each([
    [undefined, 'https://api.github.com'],
    ['https://api.github.com/', 'https://api.github.com'],
    ['https://github.example.com/api/v3', 'https://github.example.com/api'],
    ['https://github.example.com/api', 'https://github.example.com/api'],
    ['https://github.example.com/api/graphql', 'https://github.example.com/api'],
  ])('GITHUB_API_URL %s -> GraphQL at %s/graphql', (url, base) => {
    expect(graphqlBaseUrl(url)).toEqual(base);
  });
});

describe('cursors', () => {
  const since = { time: '2025-10-02T00:00:00.000Z', explicit: false };

  it('plans a first sync, an incremental one (less the overlap), a resume and a backfill', () => {
    const none = { overlapMs: 60_000, seen: new Set() };
    expect(planKind(undefined, since, 60_000)).toEqual({ ...none, from: since.time, floor: since.time });
    const done = { from: since.time, to: '2026-03-04T14:01:00.000Z', seen: ['4@2026-03-04T14:01:00Z'] };
    const seen = { overlapMs: 60_000, seen: new Set(done.seen), previous: done.to };
    expect(planKind(done, since, 60_000)).toEqual({ ...seen, from: since.time, floor: '2026-03-04T14:00:00.000Z' });
    const resume = { ...done, resume: { after: 'Y3Vyc29yOnYyOjQ5', floor: '2026-03-04T14:00:00.000Z', top: '2026-03-20T10:00:00.000Z' } };
    expect(planKind(resume, since, 60_000)).toEqual({ ...seen, from: since.time, floor: resume.resume.floor, resumeAfter: 'Y3Vyc29yOnYyOjQ5', top: resume.resume.top });
    expect(planKind(done, { time: '2025-01-01T00:00:00.000Z', explicit: true }, 60_000)).toEqual({ ...seen, from: '2025-01-01T00:00:00.000Z', floor: '2025-01-01T00:00:00.000Z' });
  });

  it('holds the watermark at the oldest item that may still change', () => {
    const mark = new Watermark();
    mark.see('2026-03-20T10:00:00.000Z');
    mark.see('2026-03-18T10:00:00.000Z', true);
    mark.see('2026-03-19T10:00:00.000Z', true);
    expect(mark.value()).toEqual('2026-03-18T10:00:00.000Z');
    expect(new Watermark().value()).toBeUndefined();
  });
});

describe('mergeConcurrent', () => {
  async function* source(name: string, items: number, log: string[]) {
    for (let i = 1; i <= items; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.push(`${name}${i}`);
      yield `${name}${i}`;
    }
  }
  async function* sources(list: [string, number][], log: string[]) {
    for (const [name, items] of list) yield source(name, items, log);
  }

  it('yields every value of every source, running at most `limit` at once', async () => {
    const log: string[] = [];
    const seen: string[] = [];
    for await (const value of mergeConcurrent<string>(sources([['a', 3], ['b', 1], ['c', 2]], log), 2)) seen.push(value);
    expect(seen.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'c1', 'c2']);
    // c starts only after b finished: c1 is produced after b1.
    expect(log.indexOf('c1')).toBeGreaterThan(log.indexOf('b1'));
  });

  it('stops the others when one fails', async () => {
    async function* failing() {
      yield 'x1';
      throw new Error('boom');
    }
    async function* list() {
      yield failing();
      yield source('a', 50, []);
    }
    const seen: string[] = [];
    await expect(async () => {
      for await (const value of mergeConcurrent<string>(list(), 2)) seen.push(value);
    }).rejects.toThrow('boom');
    expect(seen.length).toBeLessThan(51);
  });
});
