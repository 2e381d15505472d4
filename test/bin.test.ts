import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/connect.js';
import { tempDir } from './helpers/store.js';

/** The built `dora` bin, run as a user runs it (npm test builds it first). */
const bin = resolve('dist/cli/index.js');

function dora(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, CI: 'true', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('the dora bin', () => {
  it('imports standard input given -', async () => {
    const home = join(tmp.dir, 'stdin');
    const input = [
      '{"kind":"deployment","id":"d1","service":"api","environment":"production","status":"success","finished_at":"2026-03-01T10:00:00Z"}',
      '{"kind":"deployment","id":"d2","service":"api","environment":"production","status":"success","finished_at":"2026-03-02T10:00:00Z"}',
    ].join('\n');
    const result = await dora(['--home', home, 'import', '-', '--format', 'json'], { input });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ file: '-', accepted: 2, rejected: 0 });
  });

  it('derives and reports while standard input is a pipe (chDB must not read it as insert data)', async () => {
    const home = join(tmp.dir, 'report-stdin');
    expect((await dora(['--home', home, 'import', resolve('examples/events.ndjson')])).code).toBe(0);
    const result = await dora(['--home', home, 'report', '--since', '2026-03-01', '--until', '2026-03-08', '--format', 'json'], {
      input: 'this text must not end up in any table\n',
    });
    expect(result.code).toBe(0);
    const overall = JSON.parse(result.stdout).overall;
    // Production successes in the week: api v41, v42 and v43 (web-118 failed, web-117 is staging).
    expect(overall.deployment_frequency.deployments).toBe(3);
    // v42 was rolled back by v43, and PD-7 opened 20 minutes after it: one failed deployment of three.
    expect(overall.change_failure_rate).toMatchObject({ failed: 1, deployments: 3 });
  });

  it('refuses a second process on the same embedded store, naming the holder', async () => {
    const home = join(tmp.dir, 'locked');
    const store = await openStore({ home });
    try {
      const result = await dora(['--home', home, 'doctor']);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(`the embedded store at ${home} is in use by process ${process.pid}`);
      expect(result.stderr).toContain('hint:');
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
    } finally {
      await store.close();
    }
    const after = await dora(['--home', home, 'doctor', '--format', 'json']);
    expect(after.code).toBe(0);
  });

  it('takes over a lock left by a process that died', async () => {
    const home = join(tmp.dir, 'stale');
    mkdirSync(home, { recursive: true });
    // pid 2^22 + 1 is above Linux's pid_max: no such process can be alive.
    writeFileSync(join(home, 'dora.lock'), JSON.stringify({ pid: 4_194_305, hostname: (await import('node:os')).hostname(), command: 'dora import x', started_at: '2026-01-01T00:00:00Z' }));
    const result = await dora(['--home', home, 'doctor', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(existsSync(join(home, 'dora.lock'))).toBe(false);
  });

  it('uses a server URL without loading the embedded engine, and never prints the password', async () => {
    const cwd = join(tmp.dir, 'server');
    mkdirSync(cwd);
    const result = await dora(['doctor'], {
      cwd,
      env: { DORA_CLICKHOUSE_URL: 'http://127.0.0.1:9', DORA_CLICKHOUSE_PASSWORD: 's3cr3t-passw0rd' },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('cannot reach ClickHouse at http://127.0.0.1:9/');
    expect(result.stderr).not.toContain('s3cr3t-passw0rd');
    expect(existsSync(join(cwd, '.dora'))).toBe(false);
  });

  it('stops at an invalid config file, naming the file and the field', async () => {
    const cwd = join(tmp.dir, 'config');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'dora.config.json'), JSON.stringify({ servics: {}, production: 'prod', services: { api: { team: 7 } } }));
    const result = await dora(['doctor'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(cwd, 'dora.config.json')} is not a valid dora config`);
    expect(result.stderr).toContain('production: Invalid input: expected array, received string');
    expect(result.stderr).toContain('services.api.team: Invalid input: expected string, received number');
    expect(result.stderr).toMatch(/Unrecognized key: "servics"/);
  });

  it('answers --help with examples on every command', async () => {
    for (const command of [[], ['import'], ['record', 'deployment'], ['record', 'incident'], ['doctor'], ['schema'], ['collect']]) {
      const result = await dora([...command, '--help']);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout, command.join(' ')).toContain('Examples:');
    }
  });

  it('prints machine output for a single source given --format json after the source', async () => {
    const repo = join(tmp.dir, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], {
      env: { ...process.env, GIT_AUTHOR_DATE: '2026-03-01T10:00:00Z', GIT_COMMITTER_DATE: '2026-03-01T10:00:00Z' },
    });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=Ana', '-c', 'user.email=ana@example.com', 'commit', '-q', '--allow-empty', '-m', 'first');
    git('-c', 'user.name=Ana', '-c', 'user.email=ana@example.com', 'commit', '-q', '--allow-empty', '-m', 'second');
    git('tag', 'v1');
    const result = await dora(['--home', join(tmp.dir, 'collect-json'), 'collect', 'git', '--repo', repo, '--service', 'api', '--deploy-tags', 'v*', '--format', 'json']);
    expect(result.code).toBe(0);
    // Two commits, and the tag v1 is one deployment.
    expect(JSON.parse(result.stdout)).toEqual({
      runs: [{ collector: 'git', batches: expect.any(Number), events: { commit: 2, pull_request: 0, deployment: 1, incident: 0 } }],
    });
  });

  it('exits 2 on an unknown command or option', async () => {
    const result = await dora(['imprt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'imprt'");
  });
});
