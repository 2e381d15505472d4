import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, storeOptions } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'dora-config-'));

describe('loadConfig', () => {
  it('finds dora.config.yaml in the working directory and fills defaults', () => {
    writeFileSync(join(dir, 'dora.config.yaml'), 'services:\n  api:\n    repos: [acme/api]\n    team: core\n');
    const { config, path } = loadConfig({ cwd: dir, env: {} });
    expect(path).toBe(join(dir, 'dora.config.yaml'));
    expect(config.production).toEqual(['production', 'prod']);
    expect(config.services.api).toEqual({ repos: ['acme/api'], paths: [], heroku: [], pagerduty: [], opsgenie: [], team: 'core' });
  });

  it('names a missing explicit file and each invalid field', () => {
    expect(() => loadConfig({ cwd: dir, path: 'nope.json', env: {} })).toThrow(`config file not found: ${join(dir, 'nope.json')}`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ store: { url: 'not a url' }, services: { api: { repos: 'acme/api' } } }));
    expect(() => loadConfig({ cwd: dir, path: bad, env: {} })).toThrow(
      `${bad} is not a valid dora config:\n  services.api.repos: Invalid input: expected array, received string\n  store.url: Invalid URL`,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"services": ');
    expect(() => loadConfig({ cwd: dir, path: broken, env: {} })).toThrow(`${broken} is not valid JSON`);
  });
});

describe('storeOptions', () => {
  it('layers defaults < file < environment < flags, and takes the password only from the environment', () => {
    const { config } = loadConfig({ cwd: mkdtempSync(join(tmpdir(), 'dora-empty-')), env: {} });
    config.store = { home: 'from-file', url: 'http://file:8123', database: 'file_db' };
    const env = { DORA_CLICKHOUSE_URL: 'http://env:8123', DORA_CLICKHOUSE_PASSWORD: 'pw' };
    expect(storeOptions(config, {}, env)).toEqual({ home: 'from-file', url: 'http://env:8123', database: 'file_db', password: 'pw' });
    expect(storeOptions(config, { clickhouseUrl: 'http://flag:8123', home: 'flag-home' }, env)).toEqual({
      home: 'flag-home',
      url: 'http://flag:8123',
      database: 'file_db',
      password: 'pw',
    });
  });
});
