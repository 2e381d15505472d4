import type { ClickHouseClient } from '@clickhouse/client';
import { currentViews } from '../derive/write.js';
import { chTime } from '../derive/time.js';
import type { Release } from './types.js';

/** What release health reads beside derive's rows, for the releases it evaluates. */

export interface IncidentFact {
  id: string;
  openedAt: number;
  resolvedAt: number | null;
  title: string;
  severity: string;
  status: string;
  linkMethod: string;
  /** Derive's confidence that the incident belongs to this release (0..1). */
  linkConfidence: number;
  url: string;
  deploymentId: string;
}

export interface RevertFact {
  sha: string;
  repo: string;
  author: string;
  at: number;
  /** The commit it reverts, from git's `This reverts commit <sha>` line. */
  reverts: string;
}

export interface AttemptFact {
  id: string;
  service: string;
  sha: string;
  finishedAt: number;
}

export interface CommitFact {
  sha: string;
  author: string;
  title: string;
}

export interface Facts {
  incidents: Map<string, IncidentFact[]>;
  reverts: Map<string, RevertFact>;
  /** Failed production attempts per service, in time order. */
  attempts: Map<string, AttemptFact[]>;
  /** `extra.health_check` per release id, when a source or CI step set it. */
  healthChecks: Map<string, string>;
  commits: Map<string, CommitFact>;
}

async function rows<T>(client: ClickHouseClient, query: string, query_params: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, query_params, format: 'JSONEachRow' });
  return result.json<T>();
}

export async function loadFacts(client: ClickHouseClient, scope: string, environments: readonly string[], releases: readonly Release[]): Promise<Facts> {
  const ids = releases.map((release) => release.id);
  const services = [...new Set(releases.map((release) => release.service))];
  const from = chTime(Math.min(...releases.map((release) => release.finishedAt)));
  const revertShas = [...new Set(releases.flatMap((release) => release.revertedBy))];
  const commitShas = [...new Set(releases.map((release) => release.commitSha).filter(Boolean))];

  const [incidents, reverts, attempts, checks, commits] = await Promise.all([
    rows<{ id: string; opened_ms: number; resolved_ms: number | null; title: string; severity: string; status: string; link_method: string; link_confidence: number; deployment_id: string }>(
      client,
      `SELECT id, toUnixTimestamp64Milli(opened_at) AS opened_ms, toUnixTimestamp64Milli(resolved_at) AS resolved_ms,
              title, severity, status, link_method, link_confidence, deployment_id
       FROM ${currentViews.incidents}
       WHERE scope = {scope:String} AND deployment_id IN {ids:Array(String)}
       ORDER BY opened_at, id`,
      { scope, ids },
    ),
    revertShas.length === 0
      ? []
      : rows<{ sha: string; repo: string; author: string; at_ms: number; reverts: string }>(
          client,
          `SELECT sha, repo, author, toUnixTimestamp64Milli(coalesce(committed_at, authored_at)) AS at_ms,
                  extract(message, 'This reverts commit ([0-9a-fA-F]{7,64})') AS reverts
           FROM commits FINAL WHERE sha IN {shas:Array(String)}`,
          { shas: revertShas },
        ),
    rows<{ id: string; service: string; sha: string; finished_ms: number }>(
      client,
      `SELECT id, service, sha, toUnixTimestamp64Milli(finished_at) AS finished_ms FROM deployments FINAL
       WHERE status = 'failure' AND service IN {services:Array(String)} AND lower(environment) IN {environments:Array(String)}
         AND finished_at >= {from:DateTime64(3, 'UTC')}
       ORDER BY finished_at, id`,
      { services, environments: [...environments], from },
    ),
    rows<{ id: string; health_check: string }>(
      client,
      `SELECT id, extra['health_check'] AS health_check FROM deployments FINAL WHERE id IN {ids:Array(String)} AND extra['health_check'] != ''`,
      { ids },
    ),
    commitShas.length === 0
      ? []
      : rows<{ sha: string; author: string; title: string }>(
          client,
          `SELECT sha, any(author) AS author, any(splitByChar('\\n', message)[1]) AS title FROM commits FINAL WHERE sha IN {shas:Array(String)} GROUP BY sha`,
          { shas: commitShas },
        ),
  ]);

  // Derived incidents do not carry the link to the incident: the raw row does.
  const incidentIds = [...new Set(incidents.map((row) => row.id))];
  const urls = new Map(
    incidentIds.length === 0
      ? []
      : (await rows<{ id: string; url: string }>(client, `SELECT id, url FROM incidents FINAL WHERE id IN {ids:Array(String)} AND url != ''`, { ids: incidentIds })).map(
          (row) => [row.id, row.url] as const,
        ),
  );
  const facts: Facts = { incidents: new Map(), reverts: new Map(), attempts: new Map(), healthChecks: new Map(), commits: new Map() };
  for (const row of incidents) {
    const list = facts.incidents.get(row.deployment_id) ?? [];
    list.push({
      id: row.id,
      openedAt: Number(row.opened_ms),
      resolvedAt: row.resolved_ms === null ? null : Number(row.resolved_ms),
      title: row.title,
      severity: row.severity,
      status: row.status,
      linkMethod: row.link_method,
      linkConfidence: Number(row.link_confidence),
      url: urls.get(row.id) ?? '',
      deploymentId: row.deployment_id,
    });
    facts.incidents.set(row.deployment_id, list);
  }
  for (const row of reverts) facts.reverts.set(row.sha, { sha: row.sha, repo: row.repo, author: row.author, at: Number(row.at_ms), reverts: row.reverts.toLowerCase() });
  for (const row of attempts) {
    const list = facts.attempts.get(row.service) ?? [];
    list.push({ id: row.id, service: row.service, sha: row.sha, finishedAt: Number(row.finished_ms) });
    facts.attempts.set(row.service, list);
  }
  for (const row of checks) facts.healthChecks.set(row.id, row.health_check);
  for (const row of commits) facts.commits.set(row.sha, { sha: row.sha, author: row.author, title: row.title });
  return facts;
}
