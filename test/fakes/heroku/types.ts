import type * as Heroku from '@heroku-cli/schema';

/**
 * `@heroku-cli/schema` types with their `[k: string]: unknown` index signatures removed,
 * at every depth, so a misspelt field in a fixture fails the typecheck instead of
 * passing as an unknown extra key.
 */
export type Known<T> = T extends (infer Item)[]
  ? Known<Item>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> }
    : T;

export type FakeApp = Known<Heroku.App> & Required<Pick<Heroku.App, 'id' | 'name'>>;
export type FakePipeline = Known<Heroku.Pipeline> & Required<Pick<Heroku.Pipeline, 'id' | 'name'>>;
export type FakeCoupling = Known<Heroku.PipelineCoupling>;
export type FakeRelease = Known<Heroku.Release> & Required<Pick<Heroku.Release, 'id' | 'version'>>;
export type FakeSlug = Known<Heroku.Slug> & Required<Pick<Heroku.Slug, 'id'>>;
export type FakeBuild = Known<Heroku.Build>;

/** What the fake Platform API knows. Releases and builds are listed per app name. */
export interface FakeHerokuData {
  apps: FakeApp[];
  pipelines: FakePipeline[];
  couplings: FakeCoupling[];
  releases: Record<string, FakeRelease[]>;
  /** A slug is readable through any app (a promotion reuses the upstream slug). */
  slugs: FakeSlug[];
  builds: Record<string, FakeBuild[]>;
}
