import type * as Heroku from '@heroku-cli/schema';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { App, Build, Pipeline, PipelineCoupling, Release, Slug } from '../src/collectors/heroku/schema.js';
import { pipelineStory } from './fakes/heroku/story.js';
import type { Known } from './fakes/heroku/types.js';

/**
 * Our zod schemas against Heroku's published schema (@heroku-cli/schema 2.0.1):
 * every field we read exists there (checked by the compiler), and the payloads the
 * fake server sends — typed with those same types — parse.
 */

type Extra<Ours, Theirs> = Exclude<keyof z.input<Ours extends z.ZodType ? Ours : never>, keyof Known<Theirs>>;
/** Compiles only when `Missing` is never: a field we read that Heroku's schema lacks would name itself here. */
const none = <Missing extends never>(): Missing[] => [];

describe('Heroku payload schemas', () => {
  it('read only fields that Heroku publishes', () => {
    expect([
      ...none<Extra<typeof App, Heroku.App>>(),
      ...none<Extra<typeof Pipeline, Heroku.Pipeline>>(),
      ...none<Extra<typeof PipelineCoupling, Heroku.PipelineCoupling>>(),
      ...none<Extra<typeof Release, Heroku.Release>>(),
      ...none<Extra<typeof Slug, Heroku.Slug>>(),
      ...none<Extra<typeof Build, Heroku.Build>>(),
    ]).toEqual([]);
  });

  it('accept every payload of the story the fake server tells', () => {
    const { data } = pipelineStory();
    const failures = [
      ...data.apps.map((item) => App.safeParse(item)),
      ...data.pipelines.map((item) => Pipeline.safeParse(item)),
      ...data.couplings.map((item) => PipelineCoupling.safeParse(item)),
      ...Object.values(data.releases).flat().map((item) => Release.safeParse(item)),
      ...data.slugs.map((item) => Slug.safeParse(item)),
      ...Object.values(data.builds).flat().map((item) => Build.safeParse(item)),
    ].filter((result) => !result.success);
    expect(failures).toEqual([]);
  });

  it('name the field and what was expected when a release is malformed', () => {
    const result = Release.safeParse({ id: 'r', version: 'v3', status: 'done', created_at: 'yesterday', slug: null });
    expect(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'version: expected a release number',
      'status: expected one of succeeded, failed, pending, expired',
      'created_at: expected an ISO-8601 time with a zone',
    ]);
  });
});
