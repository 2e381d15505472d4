import { z } from 'zod';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable');

/** A chat channel: its webhook URL is a secret, so the config names the variable that holds it, never the URL. */
const Channel = (defaultEnv: string) =>
  z.strictObject({
    /** Environment variable holding the webhook URL. */
    webhookUrlEnv: EnvName.default(defaultEnv),
    /** Default true; false keeps the section but sends nothing there. */
    enabled: z.boolean().default(true),
  });

export const channelDefaults = {
  slack: 'SLACK_WEBHOOK_URL',
  teams: 'TEAMS_WEBHOOK_URL',
  webhook: 'DORA_WEBHOOK_URL',
} as const;

/** Where rollback alerts go and how often (DESIGN.md §5, user-needs 25). */
export const AlertsSection = z.strictObject({
  /** Slack incoming webhook (Block Kit). Without the section, `SLACK_WEBHOOK_URL` alone enables it. */
  slack: Channel(channelDefaults.slack).optional(),
  /** Microsoft Teams incoming webhook or Workflows URL (Adaptive Card). Without the section, `TEAMS_WEBHOOK_URL` alone enables it. */
  teams: Channel(channelDefaults.teams).optional(),
  /** Generic JSON webhook. Without the section, `DORA_WEBHOOK_URL` alone enables it. */
  webhook: Channel(channelDefaults.webhook)
    .extend({
      /** Environment variable holding the HMAC secret for `X-Dora-Signature`. Default `DORA_WEBHOOK_SECRET`. */
      secretEnv: EnvName.default('DORA_WEBHOOK_SECRET'),
    })
    .optional(),
  /** The least severe verdict that is sent. Default `rollback` (a `watch` stays in `dora releases`). */
  minVerdict: z.enum(['rollback', 'watch']).default('rollback'),
  /** After an alert about a service, its next alert waits this long (resolutions never wait). Default 30. */
  cooldownMinutes: z.number().min(0).default(30),
  /** Alerts sent in one run at most; the rest wait for the next run. Default 10. */
  maxPerRun: z.number().int().positive().default(10),
  /** A dashboard linked from every alert. */
  dashboardUrl: z.url().optional(),
  /** Where commit and diff links point for `owner/name` repositories. Default `https://github.com`. */
  githubUrl: z.url().default('https://github.com'),
});
export type AlertsSection = z.infer<typeof AlertsSection>;
