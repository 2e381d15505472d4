import type { ClickHouseClient } from '@clickhouse/client';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HttpOptions } from '../alerts/http.js';
import type { Config } from '../config/schema.js';
import { scrub } from '../log.js';
import { buildDigest, type Digest } from './build.js';
import { resolveEndpoints, type ChannelProblem } from '../alerts/channels.js';
import { recordDeliveries, sentChannels } from './ledger.js';
import { digestMarkdown } from './markdown.js';
import { lastWeek, type Week } from './period.js';
import { sendDigest } from './send.js';

export { buildDigest, hasActivity, tierChanges, type Digest, type DigestGroup, type TierChange } from './build.js';
export { digestMarkdown } from './markdown.js';
export { digestSlack } from './slack.js';
export { digestTeams } from './teams.js';
export { lastWeek, weekStarting, type Week } from './period.js';

export interface DigestOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  now?: number;
  /** Write the markdown here as `dora-digest-<monday>.md`. */
  dir?: string;
  http?: HttpOptions;
  /** Who sends, in the deliveries table. */
  agent?: string;
  /** Default: the last complete week in `schedule.timezone`. */
  week?: Week;
}

export interface DigestResult {
  /** `<monday>@<zone>`: the digest's identity in digest_deliveries. */
  period: string;
  newsworthy: boolean;
  file: string | null;
  sent: { channel: string; attempts: number }[];
  failed: { channel: string; error: string }[];
  /** Channels that already had this week's digest. */
  already: string[];
  problems: ChannelProblem[];
  /** Absent when the week had already gone out everywhere and nothing was built. */
  digest?: Digest;
}

const markdownPath = (dir: string, week: Week) => resolve(join(dir, `dora-digest-${week.monday}.md`));

/** Write through a temporary file, so a reader never sees half a digest. */
async function writeMarkdown(dir: string, digest: Digest): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = markdownPath(dir, digest.week);
  await writeFile(`${file}.tmp`, digestMarkdown(digest));
  await rename(`${file}.tmp`, file);
  return file;
}

/**
 * The weekly digest: build it, and when either week had something happen, write the
 * markdown and send it to each chat channel that does not have it yet. Sent once per
 * week and channel (digest_deliveries), so a schedule, a restart or `--once` from cron
 * never repeats it; a channel that failed is tried again on the next run.
 */
export async function runDigest(client: ClickHouseClient, options: DigestOptions): Promise<DigestResult> {
  const now = options.now ?? Date.now();
  const week = options.week ?? lastWeek(now, options.config.schedule.timezone);
  const period = `${week.monday}@${week.tz}`;
  const { endpoints: channels, problems } = resolveEndpoints(options.config.alerts, options.env ?? process.env);
  const done = await sentChannels(client, period);
  const file = options.dir ? markdownPath(options.dir, week) : null;
  // `--once` from cron runs this every few minutes: once the week is out everywhere, build nothing.
  if (channels.length > 0 && channels.every((channel) => done.has(channel.id)) && (!file || existsSync(file))) {
    return { period, newsworthy: true, file, sent: [], failed: [], already: channels.map((channel) => channel.id), problems };
  }
  const digest = await buildDigest(client, { config: options.config, now, week });
  const result: DigestResult = { period, newsworthy: digest.newsworthy, file: null, sent: [], failed: [], already: [], problems, digest };
  if (!digest.newsworthy) return result;
  if (options.dir) result.file = await writeMarkdown(options.dir, digest);
  for (const channel of channels) {
    if (done.has(channel.id)) {
      result.already.push(channel.id);
      continue;
    }
    const row = { period, channel: channel.id, agent: options.agent ?? '', detail: '' };
    try {
      const answer = await sendDigest(digest, channel, period, options.http ?? {}, now);
      result.sent.push({ channel: channel.id, attempts: answer.attempts });
      await recordDeliveries(client, [{ ...row, status: 'sent', detail: `HTTP ${answer.status} after ${answer.attempts} attempt(s)`, at: Date.now() }]);
    } catch (error) {
      const message = scrub((error as Error).message);
      result.failed.push({ channel: channel.id, error: message });
      await recordDeliveries(client, [{ ...row, status: 'failed', detail: message, at: Date.now() }]);
    }
  }
  return result;
}
