import type { Config } from '../config/schema.js';
import { Config as ConfigSchema } from '../config/schema.js';

/**
 * The sample organisation of `dora demo`: four services of three teams that
 * deliver very differently, so every tier and every kind of failure shows up.
 * Dates are fixed (not "now"), so a seed always gives the same figures.
 */

export interface ServiceProfile {
  service: string;
  repo: string;
  team: string;
  /** How it deploys: Heroku releases (rollbacks say so) or git tags (rollbacks are inferred). */
  platform: 'heroku' | 'tags';
  /** Mean merged changes per working day. */
  changesPerDay: number;
  /** Chance of a production deploy on a working day, and of a second one that day. */
  deployDayChance: number;
  secondDeployChance: number;
  /** Share of pull requests squash-merged (the rest get a merge commit); direct pushes on top. */
  squashShare: number;
  directPushShare: number;
  /** Median time from first commit to merge, in hours. */
  medianCodingHours: number;
  /** Chance a deploy attempt fails before it succeeds, and that a deployment causes an incident. */
  failedAttemptChance: number;
  incidentChance: number;
  /** Chance per working day of an incident no deployment caused (a provider outage). */
  outageChance: number;
}

export const DEMO_SERVICES: ServiceProfile[] = [
  { service: 'checkout', repo: 'acme/checkout', team: 'payments', platform: 'heroku', changesPerDay: 3.2, deployDayChance: 0.95, secondDeployChance: 0.6,
    squashShare: 0.8, directPushShare: 0.05, medianCodingHours: 6, failedAttemptChance: 0.08, incidentChance: 0.05, outageChance: 0.01 },
  { service: 'catalog', repo: 'acme/catalog', team: 'discovery', platform: 'tags', changesPerDay: 2, deployDayChance: 0.55, secondDeployChance: 0.1,
    squashShare: 0.4, directPushShare: 0.1, medianCodingHours: 20, failedAttemptChance: 0.05, incidentChance: 0.1, outageChance: 0.01 },
  { service: 'search', repo: 'acme/search', team: 'discovery', platform: 'tags', changesPerDay: 1.2, deployDayChance: 0.25, secondDeployChance: 0,
    squashShare: 0.6, directPushShare: 0.1, medianCodingHours: 40, failedAttemptChance: 0.1, incidentChance: 0.15, outageChance: 0.02 },
  { service: 'accounts', repo: 'acme/accounts', team: 'identity', platform: 'heroku', changesPerDay: 0.8, deployDayChance: 0.1, secondDeployChance: 0,
    squashShare: 0.5, directPushShare: 0.2, medianCodingHours: 60, failedAttemptChance: 0.2, incidentChance: 0.3, outageChance: 0.01 },
];

/** History starts here: each service's first deployment only sets its baseline, and the previous window (for trends) is full. */
export const HISTORY_START = Date.UTC(2025, 9, 6);
/** The report window: twelve weeks, Monday 2026-01-05 to Monday 2026-03-30 (half-open). */
export const WINDOW_START = Date.UTC(2026, 0, 5);
export const WINDOW_END = Date.UTC(2026, 2, 30);

export const DEMO_PEOPLE = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Ken Thompson', 'Margaret Hamilton', 'Donald Knuth', 'Frances Allen', 'John Backus'];

/** The demo's agent config: a service catalog naming each service's repository, Heroku app, incident service and team. */
export function demoConfig(): Config {
  return ConfigSchema.parse({
    services: Object.fromEntries(
      DEMO_SERVICES.map((profile) => [
        profile.service,
        {
          repos: [profile.repo],
          ...(profile.platform === 'heroku' ? { heroku: [`acme-${profile.service}`] } : {}),
          pagerduty: [`P${profile.service.toUpperCase().slice(0, 6)}`],
          team: profile.team,
        },
      ]),
    ),
  });
}
