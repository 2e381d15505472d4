import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

const tmp = tempDir();
const home = join(tmp.dir, 'store');
afterAll(() => tmp.remove());

describe('dora import, human output', () => {
  it('names each bad line on stderr, writes all of them with --rejects, and summarises', async () => {
    const file = join(tmp.dir, 'small.ndjson');
    const rejects = join(tmp.dir, 'rejects.ndjson');
    writeFileSync(
      file,
      [
        '\ufeff{"kind":"incident","id":"INC-1","service":"api","opened_at":"2026-03-01T10:00:00+01:00"}',
        '',
        '{"kind":"deployment","id":"d1","service":"api","environment":"production","status":"ok","finished_at":"2026-03-01T10:00:00"}\r',
        '{"kind":"commit","repo":"acme/api","sha":"abc","authored_at":"2026-03-01T10:00:00Z"}',
      ].join('\n'),
    );
    const result = await runCli(['--home', home, 'import', file, '--rejects', rejects]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('line 3: finished_at: expected an ISO-8601 time with a zone');
    expect(result.stderr).toContain('line 3: status: expected one of success, failure, in_progress, cancelled, got "ok"');
    expect(result.stderr).toContain('line 4: sha: expected a full commit SHA: 40-64 hex characters, got "abc"');
    expect(result.stderr).toContain('imported 1 events from small.ndjson (1 incident)');
    expect(result.stderr).toContain('rejected 2 of 3 lines');
    const written = readFileSync(rejects, 'utf8').trim().split('\n').map((entry) => JSON.parse(entry));
    expect(written.map((entry) => entry.line)).toEqual([3, 4]);
  });

  it('says a missing file is a usage error (exit 2)', async () => {
    const result = await runCli(['--home', home, 'import', join(tmp.dir, 'missing.ndjson')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read');
    expect(result.stderr).toContain('no such file');
  });
});
