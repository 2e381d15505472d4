import { createHash } from 'node:crypto';
import type { FakeApp, FakeBuild, FakeHerokuData, FakeRelease, FakeSlug } from './types.js';

/**
 * The pipeline "shop": shop-staging (stage staging) builds from git pushes, and
 * shop-prod (stage production) gets those slugs by promotion.
 *
 *   staging v1 Initial release                 prod v1 Initial release
 *                                              prod v2 Set DATABASE_URL config vars   (no slug yet)
 *   staging v2 Deploy c1  (slug s1)     ─────► prod v3 Promote shop-staging v2         03-02 11:02  first deploy
 *   staging v3 Deploy c2  (slug s2)     ─────► prod v4 Promote shop-staging v3         03-03 14:02
 *                                              prod v5 Set FEATURE_X config vars       (slug s2: config only)
 *   staging v4 Deploy c3  (slug s3)     ─────► prod v6 Promote shop-staging v4  FAILED 03-04 15:05  release phase failed
 *                                              prod v7 Promote shop-staging v4         03-05 10:03  retried, went live
 *                                              prod v8 Rollback to v5 (slug s2)        03-05 12:00:30  rolls back v7
 *   staging v5 Deploy c4  (slug s4)     ─────► prod v9 Promote shop-staging v5  PENDING at the first run;
 *                                                      succeeded 03-06 15:04 by the second
 *                                              prod v10 Attach REDIS (slug s4)         (second run; add-on only)
 *
 * Slug s4 carries no `commit` (made through the API): its commit comes from the
 * staging build that produced it.
 */

export const sha = (name: string) => createHash('sha1').update(`shop ${name}`).digest('hex');
export const commits = { c1: sha('c1'), c2: sha('c2'), c3: sha('c3'), c4: sha('c4') };

export const ids = {
  pipeline: '5d2f6c1e-0c1b-4b8e-9f3e-6f1f3c0a0001',
  staging: '7a1c2e3d-1111-4a5b-8c6d-000000000001',
  prod: '7a1c2e3d-2222-4a5b-8c6d-000000000002',
  slugs: {
    s1: '9f0e1d2c-0000-4000-8000-0000000000a1',
    s2: '9f0e1d2c-0000-4000-8000-0000000000a2',
    s3: '9f0e1d2c-0000-4000-8000-0000000000a3',
    s4: '9f0e1d2c-0000-4000-8000-0000000000a4',
  },
};

/** When the first run happens: v9's release phase started an hour ago. */
export const firstRunAt = Date.parse('2026-03-06T16:00:00Z');
export const secondRunAt = Date.parse('2026-03-07T12:00:00Z');

const user = { id: 'b6f3a0c2-0000-4000-8000-00000000000u', email: 'dev@example.com' };

function app(id: string, name: string): FakeApp {
  return { id, name, created_at: '2026-03-01T08:00:00Z', updated_at: '2026-03-01T08:00:00Z', released_at: null, web_url: `https://${name}.herokuapp.com/` };
}

function release(appRef: FakeApp, version: number, description: string, at: string, settled: string, slug: string | null, status: 'succeeded' | 'failed' | 'pending' = 'succeeded'): FakeRelease {
  return {
    id: `0c0ffee0-${appRef.id.slice(9, 13)}-4000-8000-${String(version).padStart(12, '0')}`,
    version,
    description,
    status,
    current: false,
    created_at: at,
    updated_at: settled,
    slug: slug ? { id: slug } : null,
    user,
    app: { id: appRef.id, name: appRef.name },
    addon_plan_names: ['heroku-postgresql:essential-0'],
    output_stream_url: null,
  };
}

function build(appRef: FakeApp, id: string, commit: string, slug: string, at: string): FakeBuild {
  return {
    id,
    app: { id: appRef.id },
    created_at: at,
    updated_at: at,
    status: 'succeeded',
    source_blob: { url: `https://api.github.com/repos/acme/shop/tarball/${commit}`, version: commit, version_description: null, checksum: null },
    slug: { id: slug },
    stack: 'heroku-24',
    user,
  };
}

function slugOf(id: string, commit: string | null): FakeSlug {
  return { id, commit, commit_description: null, created_at: '2026-03-01T08:00:00Z', updated_at: '2026-03-01T08:00:00Z', size: 52_428_800, checksum: null };
}

export interface Story {
  data: FakeHerokuData;
  /** What changed on Heroku between the first and the second run. */
  advance(): void;
}

export function pipelineStory(): Story {
  const staging = app(ids.staging, 'shop-staging');
  const prod = app(ids.prod, 'shop-prod');
  const { s1, s2, s3, s4 } = ids.slugs;
  const short = (commit: string) => commit.slice(0, 7);
  const data: FakeHerokuData = {
    apps: [staging, prod],
    pipelines: [{ id: ids.pipeline, name: 'shop', created_at: '2026-03-01T08:00:00Z', updated_at: '2026-03-01T08:00:00Z', owner: { id: user.id, type: 'user' } }],
    couplings: [
      { id: 'c0000000-0000-4000-8000-000000000001', app: { id: staging.id }, pipeline: { id: ids.pipeline }, stage: 'staging', created_at: '2026-03-01T08:00:00Z', updated_at: '2026-03-01T08:00:00Z' },
      { id: 'c0000000-0000-4000-8000-000000000002', app: { id: prod.id }, pipeline: { id: ids.pipeline }, stage: 'production', created_at: '2026-03-01T08:00:00Z', updated_at: '2026-03-01T08:00:00Z' },
    ],
    releases: {
      'shop-staging': [
        release(staging, 1, 'Initial release', '2026-03-02T09:00:00Z', '2026-03-02T09:00:00Z', null),
        release(staging, 2, `Deploy ${short(commits.c1)}`, '2026-03-02T10:00:00Z', '2026-03-02T10:01:00Z', s1),
        release(staging, 3, `Deploy ${short(commits.c2)}`, '2026-03-03T10:00:00Z', '2026-03-03T10:01:00Z', s2),
        release(staging, 4, `Deploy ${short(commits.c3)}`, '2026-03-04T10:00:00Z', '2026-03-04T10:01:00Z', s3),
        release(staging, 5, `Deploy ${short(commits.c4)}`, '2026-03-06T10:00:00Z', '2026-03-06T10:01:00Z', s4),
      ],
      'shop-prod': [
        release(prod, 1, 'Initial release', '2026-03-02T09:00:00Z', '2026-03-02T09:00:00Z', null),
        release(prod, 2, 'Set DATABASE_URL config vars', '2026-03-02T09:10:00Z', '2026-03-02T09:10:00Z', null),
        release(prod, 3, `Promote shop-staging v2 ${short(commits.c1)}`, '2026-03-02T11:00:00Z', '2026-03-02T11:02:00Z', s1),
        release(prod, 4, `Promote shop-staging v3 ${short(commits.c2)}`, '2026-03-03T14:00:00Z', '2026-03-03T14:02:00Z', s2),
        release(prod, 5, 'Set FEATURE_X config vars', '2026-03-04T09:00:00Z', '2026-03-04T09:00:00Z', s2),
        release(prod, 6, `Promote shop-staging v4 ${short(commits.c3)}`, '2026-03-04T15:00:00Z', '2026-03-04T15:05:00Z', s3, 'failed'),
        release(prod, 7, `Promote shop-staging v4 ${short(commits.c3)}`, '2026-03-05T10:00:00Z', '2026-03-05T10:03:00Z', s3),
        release(prod, 8, 'Rollback to v5', '2026-03-05T12:00:00Z', '2026-03-05T12:00:30Z', s2),
        release(prod, 9, `Promote shop-staging v5 ${short(commits.c4)}`, '2026-03-06T15:00:00Z', '2026-03-06T15:00:00Z', s4, 'pending'),
      ],
    },
    slugs: [slugOf(s1, commits.c1), slugOf(s2, commits.c2), slugOf(s3, commits.c3), slugOf(s4, null)],
    builds: {
      'shop-staging': [
        build(staging, 'b0000000-0000-4000-8000-000000000001', commits.c1, s1, '2026-03-02T09:55:00Z'),
        build(staging, 'b0000000-0000-4000-8000-000000000002', commits.c2, s2, '2026-03-03T09:55:00Z'),
        build(staging, 'b0000000-0000-4000-8000-000000000003', commits.c3, s3, '2026-03-04T09:55:00Z'),
        build(staging, 'b0000000-0000-4000-8000-000000000004', commits.c4, s4, '2026-03-06T09:55:00Z'),
      ],
    },
  };
  return {
    data,
    advance() {
      const prodReleases = data.releases['shop-prod']!;
      const v9 = prodReleases.find((candidate) => candidate.version === 9)!;
      v9.status = 'succeeded';
      v9.updated_at = '2026-03-06T15:04:00Z';
      prodReleases.push(release(prod, 10, 'Attach REDIS (@ref:redis-curly-12345)', '2026-03-07T09:00:00Z', '2026-03-07T09:00:00Z', s4));
    },
  };
}
