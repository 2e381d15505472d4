import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real repositories for the git collector's tests, built with the `git` binary.
 * Every date is set explicitly (author, committer, tagger) and no user or system
 * config is read, so SHAs and figures are the same on every machine.
 */
export class TestRepo {
  constructor(readonly dir: string) {}

  static init(dir: string, options: { branch?: string; bare?: boolean } = {}): TestRepo {
    mkdirSync(dir, { recursive: true });
    const repo = new TestRepo(dir);
    repo.git(['init', '-q', `--initial-branch=${options.branch ?? 'main'}`, ...(options.bare ? ['--bare'] : [])]);
    return repo;
  }

  /** Run git with fixed identity and dates; `date` sets author and committer, `authorDate` only the author. */
  git(args: string[], options: { date?: string; authorDate?: string; author?: string; input?: Buffer | string } = {}): string {
    const date = options.date ?? '2026-01-01T00:00:00Z';
    const author = options.author ?? 'Ada Lovelace';
    return execFileSync('git', args, {
      cwd: this.dir,
      input: options.input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: this.dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: author,
        GIT_AUTHOR_EMAIL: `${author.split(' ')[0]!.toLowerCase()}@example.com`,
        GIT_COMMITTER_NAME: 'Grace Hopper',
        GIT_COMMITTER_EMAIL: 'grace@example.com',
        GIT_AUTHOR_DATE: options.authorDate ?? date,
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
  }

  /** A commit that changes one file; returns its SHA. */
  commit(message: string, date: string, options: { authorDate?: string; author?: string; file?: string } = {}): string {
    const file = options.file ?? 'log.txt';
    writeFileSync(join(this.dir, file), `${message}\n${date}\n`, { flag: 'a' });
    this.git(['add', file]);
    this.git(['commit', '-q', '-m', message], { date, ...options });
    return this.head();
  }

  /**
   * A commit whose message is the given raw bytes and has no encoding header:
   * written with hash-object, because `git commit` would repair invalid UTF-8.
   */
  commitBytes(message: Buffer, date: string): string {
    const seconds = Date.parse(date) / 1000;
    const header = [
      `tree ${this.git(['rev-parse', 'HEAD^{tree}'])}`,
      `parent ${this.head()}`,
      `author Ada Lovelace <ada@example.com> ${seconds} +0000`,
      `committer Grace Hopper <grace@example.com> ${seconds} +0000`,
      '',
      '',
    ].join('\n');
    const object = this.git(['hash-object', '-t', 'commit', '-w', '--stdin'], { input: Buffer.concat([Buffer.from(header), message]) });
    this.git(['update-ref', 'HEAD', object]);
    return object;
  }

  /** A commit in Latin-1 that says so (an `encoding ISO-8859-1` header): git log converts it. */
  commitLatin1(message: string, date: string): string {
    writeFileSync(join(this.dir, 'log.txt'), `${date}\n`, { flag: 'a' });
    this.git(['add', 'log.txt']);
    this.git(['-c', 'i18n.commitEncoding=ISO-8859-1', 'commit', '-q', '-F', '-'], { date, input: Buffer.from(message, 'latin1') });
    return this.head();
  }

  /** `git merge --no-ff`: a merge commit with two parents. */
  merge(branch: string, message: string, date: string): string {
    this.git(['merge', '-q', '--no-ff', '-m', message, branch], { date });
    return this.head();
  }

  /** `git revert`: a commit saying "This reverts commit <sha>." */
  revert(sha: string, date: string): string {
    this.git(['revert', '--no-edit', sha], { date });
    return this.head();
  }

  /** An annotated tag (tagger date `date`), or lightweight without `date`. */
  tag(name: string, target: string, date?: string): void {
    if (date) this.git(['tag', '-a', '-m', `release ${name}`, name, target], { date });
    else this.git(['tag', name, target]);
  }

  checkout(branch: string, options: { create?: boolean; from?: string } = {}): void {
    this.git(['checkout', '-q', ...(options.create ? ['-b'] : []), branch, ...(options.from ? [options.from] : [])]);
  }

  head(): string {
    return this.git(['rev-parse', 'HEAD']);
  }
}
