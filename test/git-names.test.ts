import { describe, expect, it } from 'vitest';
import { repoNameFromUrl, serviceFor } from '../src/collectors/git/repo.js';
import { tagMatcher } from '../src/collectors/git/refs.js';
import { mergeGitFlags } from '../src/collectors/git/schema.js';

/** How the git collector names repositories and services, matches deploy tags, and merges flags over config. */

describe('repository names', () => {
  it.each([
    ['git@github.com:acme/api.git', 'acme/api'],
    ['https://github.com/acme/api.git', 'acme/api'],
    ['https://github.com/acme/api', 'acme/api'],
    ['ssh://git@github.com/acme/api.git', 'acme/api'],
    ['https://x-access-token:ghp_secret123@github.com/acme/api.git', 'acme/api'],
    ['https://gitlab.example.com/group/sub/api.git', 'group/sub/api'],
    ['git@gitlab.example.com:group/sub/api.git/', 'group/sub/api'],
  ])('%s is %s, as the GitHub collector names it', (url, name) => {
    expect(repoNameFromUrl(url)).toEqual(name);
  });

  it.each(['/srv/git/api.git', 'file:///srv/git/api.git', '../api', 'C:\\src\\api', 'https://github.com/api'])(
    '%s gives no owner/name (the folder name is used)',
    (url) => {
      expect(repoNameFromUrl(url)).toBeUndefined();
    },
  );

  it('names the service after the catalog entry listing the repository, else the repository without its owner', () => {
    const services = { storefront: { repos: ['acme/Web'] }, api: { repos: ['acme/api-gateway'] } };
    expect(serviceFor('acme/web', services)).toEqual('storefront');
    expect(serviceFor('acme/billing', services)).toEqual('billing');
    expect(serviceFor('billing', services)).toEqual('billing');
  });
});

describe('deploy tag patterns, as git tag --list reads them', () => {
  it.each([
    [['v*'], 'v1.2.3', true],
    [['v*'], 'release-1', false],
    [['production/*'], 'production/2026-03-01', true],
    [['production/*'], 'staging/2026-03-01', false],
    [['*'], 'deep/nested/tag', true],
    [['v?.?'], 'v1.2', true],
    [['v?.?'], 'v1.20', false],
    [['v[0-9]*'], 'v2', true],
    [['v[!0-9]*'], 'v2', false],
    [['v1.0'], 'v1.0', true],
    [['v1.0'], 'v1x0', false],
    [['a+b(c)'], 'a+b(c)', true],
    [['hotfix/*', 'v*'], 'hotfix/login', true],
  ])('%j matches %s: %s', (patterns, tag, matches) => {
    expect(tagMatcher(patterns)(tag)).toEqual(matches);
  });
});

describe('flags over the config section', () => {
  const config = [{ repo: '../api', deployTags: 'v*' }, { repo: '../web', service: 'web' }];
  it('--repo names one repository: a one-element array', () => {
    expect(mergeGitFlags(config, { repo: '../billing', deployTags: ['r*'] })).toEqual([{ repo: '../billing', deployTags: ['r*'] }]);
  });
  it('other flags override every configured repository', () => {
    expect(mergeGitFlags(config, { branch: 'main' })).toEqual([
      { repo: '../api', deployTags: 'v*', branch: 'main' },
      { repo: '../web', service: 'web', branch: 'main' },
    ]);
  });
  it('without a config, flags read the working directory', () => {
    expect(mergeGitFlags(undefined, { deployTags: ['v*'] })).toEqual([{ repo: '.', deployTags: ['v*'] }]);
    expect(mergeGitFlags(undefined, {})).toEqual([{ repo: '.' }]);
    expect(mergeGitFlags(config, {})).toBe(config);
  });
});
