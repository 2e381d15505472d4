import type { DeploymentEvent } from '../events/schemas.js';
import type { Attributes } from './instruments.js';

/** A production deployment as a span, for trace backends to mark deploys on their timelines. */
export interface DeploymentSpan {
  startMs: number;
  endMs: number;
  attributes: Attributes;
}

/**
 * Semantic conventions 1.45 (apis.md §6): `service.name`, `service.version` and the stable
 * `deployment.environment.name`; `deployment.id`, `deployment.status` and
 * `vcs.ref.head.revision` are still experimental. There is no standard deployment event,
 * so the span is named `deployment` and carries one event of that name at the finish.
 */
export function deploymentSpan(event: DeploymentEvent): DeploymentSpan {
  const endMs = Date.parse(event.finished_at);
  const started = event.started_at ? Date.parse(event.started_at) : Number.NaN;
  const attributes: Attributes = {
    'service.name': event.service,
    'deployment.environment.name': event.environment,
    'deployment.id': event.id,
    'deployment.status': event.status === 'success' ? 'succeeded' : 'failed',
  };
  const version = event.version || event.sha;
  if (version) attributes['service.version'] = version;
  if (event.sha) attributes['vcs.ref.head.revision'] = event.sha;
  if (event.repo) attributes['vcs.repository.name'] = event.repo;
  if (event.source) attributes['dora.source'] = event.source;
  if (event.rollback_of) attributes['dora.rollback_of'] = event.rollback_of;
  return { startMs: Number.isFinite(started) && started <= endMs ? started : endMs, endMs, attributes };
}
