import type { GithubClient } from './client.js';
import { deploymentEvent, isProduction, toEvent, type RepoContext } from './events.js';
import { COMMIT_DEPLOYMENTS } from './queries.js';
import { DeploymentNode, describeNode, parseNodes, type IncidentNode } from './schema.js';

/**
 * Incident issues, and the deployment an incident names. An issue body can name a
 * deployment by its id (`github:acme/api:1234`, as `dora` stores it) or a commit by
 * SHA (7-40 hex characters with at least one digit and one letter, so words like
 * "deadbee" or numbers like 1234567 are not taken for one). A SHA is resolved to the
 * latest successful production deployment of that commit finished at or before the
 * incident opened; without one, the SHA is kept in `extra.sha` for derive to use.
 */

const DEPLOYMENT_ID = /\bgithub:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:\d+\b/;
const SHA = /\b[0-9a-f]{7,40}\b/gi;

export function referencesIn(text: string): { deployment?: string; shas: string[] } {
  const deployment = DEPLOYMENT_ID.exec(text)?.[0];
  const shas = [...text.matchAll(SHA)].map((match) => match[0].toLowerCase()).filter((token) => /\d/.test(token) && /[a-f]/.test(token));
  return { ...(deployment ? { deployment } : {}), shas: [...new Set(shas)] };
}

/** `sev1`, `SEV-2`, `severity: high`, `P1` labels name the severity. */
export function severityOf(labels: string[]): string | undefined {
  for (const label of labels) {
    const sev = /^sev(?:erity)?[\s:/_-]*(\d)$/i.exec(label);
    if (sev) return `sev${sev[1]}`;
    const named = /^severity[\s:/_-]+(.+)$/i.exec(label);
    if (named) return named[1]!.trim().toLowerCase();
    if (/^p[0-4]$/i.test(label)) return label.toUpperCase();
  }
  return undefined;
}

interface CommitDeploymentsData {
  repository: { object: { oid?: string; deployments?: { nodes?: unknown[] | null } | null } | null } | null;
}

/** Resolves SHAs named by incidents to deployments, one request per distinct SHA per run. */
export class IncidentLinker {
  private readonly cache = new Map<string, Promise<{ oid: string; deployments: { id: string; finished_at: string }[] } | undefined>>();

  constructor(
    private readonly client: GithubClient,
    private readonly ctx: RepoContext,
  ) {}

  private resolve(sha: string) {
    let pending = this.cache.get(sha);
    if (!pending) {
      const [owner, name] = this.ctx.repo.split('/');
      pending = this.client
        .query<CommitDeploymentsData>(COMMIT_DEPLOYMENTS, { owner, name, expression: sha }, `${this.ctx.repo} commit ${sha}`)
        .then((data) => {
          const object = data.repository?.object;
          if (!object?.oid) return undefined;
          const nodes = parseNodes(DeploymentNode, object.deployments?.nodes, describeNode(this.ctx.repo, 'deployment'), this.ctx.log);
          const deployments = nodes
            .map((node) => deploymentEvent(this.ctx, node))
            .filter((event) => event !== undefined && event.status === 'success' && isProduction(event.environment, this.ctx.agent))
            .map((event) => ({ id: event!.id, finished_at: event!.finished_at }));
          return { oid: object.oid.toLowerCase(), deployments };
        });
      this.cache.set(sha, pending);
    }
    return pending;
  }

  async link(node: IncidentNode): Promise<{ deployment?: string; sha?: string }> {
    const references = referencesIn(`${node.title}\n${node.body ?? ''}`);
    if (references.deployment) return { deployment: references.deployment };
    const openedAt = new Date(node.createdAt).toISOString();
    for (const sha of references.shas) {
      const commit = await this.resolve(sha);
      if (!commit) continue;
      const before = commit.deployments.filter((deployment) => deployment.finished_at <= openedAt).sort((a, b) => b.finished_at.localeCompare(a.finished_at));
      return before[0] ? { deployment: before[0].id, sha: commit.oid } : { sha: commit.oid };
    }
    // Nothing GitHub knows as a commit here: keep what was written, in case derive knows it.
    return references.shas[0] ? { sha: references.shas[0] } : {};
  }
}

export function incidentEvent(ctx: RepoContext, node: IncidentNode, link: { deployment?: string; sha?: string }) {
  const labels = (node.labels?.nodes ?? []).flatMap((label) => (label ? [label.name] : []));
  return toEvent(
    'incident',
    {
      id: `github:${ctx.repo}#${node.number}`,
      service: ctx.service,
      opened_at: node.createdAt,
      // A reopened issue is open again, whatever closedAt still says.
      resolved_at: node.state === 'CLOSED' ? node.closedAt : undefined,
      title: node.title,
      severity: severityOf(labels),
      source: 'github',
      deployment: link.deployment,
      url: node.url,
      labels,
      ...(link.sha ? { sha: link.sha } : {}),
      ...(node.stateReason ? { state_reason: node.stateReason.toLowerCase() } : {}),
      ...(node.author?.login ? { author: node.author.login } : {}),
    },
    `${ctx.repo} issue #${node.number}`,
    ctx.log,
  );
}
