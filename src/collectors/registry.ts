import { gitCollector } from './git/index.js';
import { githubCollector } from './github/index.js';
import { herokuCollector } from './heroku/index.js';
import { opsgenieCollector } from './opsgenie/index.js';
import { pagerdutyCollector } from './pagerduty/index.js';
import type { Collector } from './types.js';

/** Collector id -> collector. The id equals the folder name; a test checks that every folder is registered. */
export const collectors: Record<string, Collector<any>> = {
  git: gitCollector,
  github: githubCollector,
  heroku: herokuCollector,
  opsgenie: opsgenieCollector,
  pagerduty: pagerdutyCollector,
};

export function collectorIds(): string[] {
  return Object.keys(collectors).sort();
}
