import { AgentError, ExitCode } from '../../errors.js';
import type { Collector } from '../types.js';
import { collectRepository } from './collect-repo.js';
import { GitSourceConfig, mergeGitFlags } from './schema.js';

/** Local git: commits and deploy tags from clones on disk. No token, no network. See readme.md. */
export const gitCollector: Collector<GitSourceConfig> = {
  id: 'git',
  description: 'Read commits and deploy tags from local git repositories (no token, no network)',
  configSchema: GitSourceConfig,
  flags: [
    { flags: '--repo <path>', description: 'path of a clone or bare repository (default: .)', key: 'repo' },
    { flags: '--service <name>', description: 'service its deploy tags deploy (default: catalog entry, else the repository name)', key: 'service' },
    { flags: '--deploy-tags <pattern...>', description: "tags that are deployments, as for git tag --list, e.g. 'v*' (repeatable)", key: 'deployTags' },
    { flags: '--env <name>', description: 'environment of those deployments (default: production)', key: 'env' },
    { flags: '--branch <name>', description: 'read only this branch and the deploy tags (default: every branch and tag)', key: 'branch' },
    { flags: '--repo-name <owner/name>', description: "the repository's name in the store (default: origin's owner/name, else the folder name)", key: 'name' },
  ],
  mergeFlags: mergeGitFlags,
  examples: [
    "dora collect git --repo . --service api --deploy-tags 'v*'",
    "dora collect git --repo ~/src/web --deploy-tags 'production/*' --branch main",
    'dora collect git    # every repository under sources.git in dora.config.json',
  ],
  async *collect(ctx) {
    const failed: string[] = [];
    for (const entry of ctx.config) {
      try {
        yield* collectRepository(entry, ctx);
      } catch (error) {
        // One unreadable repository must not stop the others; a lone one fails the run as it is.
        if (ctx.config.length === 1) throw error;
        ctx.log.error('cannot read git repository', { repo: entry.repo, reason: (error as Error).message });
        failed.push(entry.repo);
      }
    }
    if (failed.length > 0) {
      throw new AgentError('git', `${failed.length} of ${ctx.config.length} git repositories could not be read: ${failed.join(', ')}`, {
        exitCode: ExitCode.rejectedInput,
        suggestion: 'the others were collected; fix the paths in sources.git (see the errors above)',
      });
    }
  },
};
