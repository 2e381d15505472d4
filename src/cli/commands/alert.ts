import { Command, Option } from 'commander';
import { z } from 'zod';
import { channelIds, resolveChannels, sampleAlert, type ChannelId } from '../../alerts/index.js';
import { ExitCode } from '../../errors.js';
import { scrub, type Io } from '../../log.js';
import { commandContext, printJson } from '../context.js';

const Options = z.object({
  channel: z.array(z.enum(['slack', 'teams', 'webhook'])).optional(),
  format: z.enum(['text', 'json']),
});

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];

export function alertCommand(io: Io, exit: (code: number) => void): Command {
  const alert = new Command('alert').description('Rollback alerts in chat: check the channels');
  alert
    .command('test')
    .description('Send a sample alert to each configured channel (Slack, Teams, webhook) and say what each answered')
    .option('--channel <name>', `only this channel: ${channelIds.join(', ')} (repeatable)`, collect)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T000/B000/XXXX dora alert test
  $ dora alert test --channel teams        the URL from TEAMS_WEBHOOK_URL (or alerts.teams.webhookUrlEnv)

Webhook URLs come only from environment variables and are never printed.
Exit codes: 0 every channel took the message; 5 a channel failed; 2 no channel configured.`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = Options.parse(raw);
      const ctx = commandContext(command, io);
      const wanted = new Set<ChannelId>(options.channel ?? channelIds);
      const { notifiers, problems } = resolveChannels(ctx.loaded.config.alerts);
      const chosen = notifiers.filter((notifier) => wanted.has(notifier.id));
      const issues = problems.filter((problem) => wanted.has(problem.channel));
      const results: { channel: ChannelId; ok: boolean; detail: string }[] = [];
      const message = sampleAlert(Date.now());
      await Promise.all(
        chosen.map(async (notifier) => {
          try {
            const answer = await notifier.send(message, { key: `test|${Date.now()}`, attempt: 1 }, {});
            results.push({ channel: notifier.id, ok: true, detail: `HTTP ${answer.status} after ${answer.attempts} attempt(s)` });
          } catch (error) {
            results.push({ channel: notifier.id, ok: false, detail: scrub((error as Error).message) });
          }
        }),
      );
      results.sort((a, b) => channelIds.indexOf(a.channel) - channelIds.indexOf(b.channel));
      if (options.format === 'json') printJson(io, { results, problems: issues });
      else {
        for (const result of results) io.out(`${result.channel}: ${result.ok ? 'sent' : 'failed'} (${result.detail})\n`);
        for (const problem of issues) io.out(`${problem.channel}: not usable (${problem.message})\n`);
      }
      if (chosen.length === 0 && issues.length === 0) {
        ctx.log.warn('no alert channel configured: set SLACK_WEBHOOK_URL, TEAMS_WEBHOOK_URL or DORA_WEBHOOK_URL, or the config\'s alerts section');
        exit(ExitCode.usage);
        return;
      }
      exit(results.some((result) => !result.ok) ? ExitCode.sourceUnavailable : issues.length > 0 ? ExitCode.usage : ExitCode.ok);
    });
  return alert;
}
