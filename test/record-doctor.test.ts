import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latestSchemaVersion } from '../src/store/schema.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

const tmp = tempDir();
const home = join(tmp.dir, 'store');
afterAll(() => tmp.remove());
const dora = (...args: string[]) => runCli(['--home', home, ...args]);

describe('dora record and dora doctor', () => {
  it('records a deployment from CI flags, storing its time in UTC', async () => {
    const result = await dora('record', 'deployment', '--service', 'api', '--env', 'production', '--sha', 'ABCDEF1234',
      '--release', 'v42', '--finished-at', '2026-03-01T12:00:00+02:00', '--id', 'gha-1', '--format', 'json');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({
      kind: 'deployment', id: 'gha-1', service: 'api', environment: 'production', status: 'success',
      finished_at: '2026-03-01T10:00:00.000Z', sha: 'abcdef1234', version: 'v42', extra: {},
    });
  });

  it('names every invalid flag and writes nothing', async () => {
    const result = await dora('record', 'deployment', '--service', 'api', '--status', 'done', '--finished-at', '1 March');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not recorded:');
    expect(result.stderr).toContain('--status: expected one of success, failure, in_progress, cancelled, got "done"');
    expect(result.stderr).toContain('--finished-at: expected an ISO-8601 time with a zone');
    const doctor = await dora('doctor', '--format', 'json');
    expect(doctor.json().kinds.deployment.rows).toBe(1);
  });

  it('updates an incident recorded again with the same id', async () => {
    await dora('record', 'incident', '--id', 'INC-7', '--service', 'api', '--opened-at', '2026-03-01T10:30:00Z', '--title', '5xx');
    const resolved = await dora('record', 'incident', '--id', 'INC-7', '--service', 'api', '--opened-at', '2026-03-01T10:30:00Z',
      '--resolved-at', '2026-03-01T11:15:00Z', '--title', '5xx');
    expect(resolved.code).toBe(0);
    expect(resolved.stderr).toContain('recorded incident INC-7 of api (resolved)');
    const doctor = (await dora('doctor', '--format', 'json')).json();
    expect(doctor.kinds.incident).toEqual({
      rows: 1,
      first: '2026-03-01T10:30:00.000Z',
      last: '2026-03-01T10:30:00.000Z',
      by_source: [{ source: 'record', group: 'api', rows: 1, first: '2026-03-01T10:30:00.000Z', last: '2026-03-01T10:30:00.000Z' }],
    });
  });

  it('shows per kind, source and service what the store holds, and the last run of each source', async () => {
    await dora('record', 'deployment', '--service', 'web', '--env', 'staging', '--status', 'failure', '--id', 'w-1',
      '--finished-at', '2026-03-02T09:00:00Z', '--source', 'github');
    const json = (await dora('doctor', '--format', 'json')).json();
    expect(json.store).toEqual({ kind: 'embedded', location: home, database: 'dora' });
    expect(json.kinds.deployment.rows).toBe(2);
    expect(json.kinds.deployment.by_source.map((group: { source: string; group: string; rows: number }) => [group.source, group.group, group.rows])).toEqual([
      ['github', 'web', 1],
      ['record', 'api', 1],
    ]);
    expect(json.deployments_by_environment).toEqual([
      { environment: 'production', status: 'success', rows: 1 },
      { environment: 'staging', status: 'failure', rows: 1 },
    ]);
    expect(json.runs).toEqual([
      expect.objectContaining({ source: 'record', scope: 'deployment w-1', status: 'ok', accepted: 1, rejected: 0 }),
    ]);
    const text = await dora('doctor');
    expect(text.stdout).toContain(`store:  embedded store at ${home} (schema v${latestSchemaVersion})`);
    expect(text.stdout).toMatch(/deployment\s+2\s+2026-03-01 10:00 UTC\s+2026-03-02 09:00 UTC/);
    expect(text.stdout).toMatch(/staging\s+failure\s+1/);
  });
});
