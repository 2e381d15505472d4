import { Command, Option } from 'commander';
import { userInfo } from 'node:os';
import { linkIncident, listOverrides, unlinkIncident, type LinkOverride } from '../../catalog/overrides.js';
import { ExitCode } from '../../errors.js';
import type { Io } from '../../log.js';
import { commandContext, printJson, withStore, type OutputFormat } from '../context.js';
import { shortTime, table } from '../render.js';

/**
 * `dora link INCIDENT DEPLOYMENT` and `dora unlink INCIDENT`: a person's word on which
 * deployment caused an incident. Stored apart from the incidents, so later collections
 * never undo it; derive honours it before any automatic rule.
 */

const author = () => {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
};

const describe = (override: LinkOverride) =>
  override.action === 'link'
    ? `linked incident ${override.incident} to deployment ${override.deployment}`
    : override.action === 'unlink'
      ? `unlinked incident ${override.incident}: no deployment caused it`
      : `incident ${override.incident} is linked automatically again`;

const formatOption = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

export function linkCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('link')
    .description('Say which deployment caused an incident; later collections do not undo it (see also: dora unlink)')
    .argument('[incident]', 'incident id as stored, e.g. pagerduty:Q1ABC or github:acme/api#12')
    .argument('[deployment]', 'deployment id as stored, e.g. heroku:shop-prod:v42')
    .option('--note <text>', 'why (shown by report --explain)')
    .option('--list', 'list the manual decisions in force')
    .addOption(formatOption())
    .addHelpText(
      'after',
      `
The link is kept in its own table, so re-collecting PagerDuty, Opsgenie or GitHub
never undoes it. Reports use it first: the deployment counts as failed, with
"manual link" as the reason in \`dora report --explain change_failure_rate\`.

Examples:
  $ dora link pagerduty:Q1ABC heroku:shop-prod:v42 --note "bad migration in v42"
  $ dora link --list
  $ dora unlink pagerduty:Q1ABC              no deployment caused it
  $ dora unlink pagerduty:Q1ABC --reset      back to automatic linking`,
    )
    .action(async (incident: string | undefined, deployment: string | undefined, options: { note?: string; list?: boolean; format: OutputFormat }, command: Command) => {
      const ctx = commandContext(command, io);
      if (options.list) {
        const overrides = await withStore(ctx, (store) => listOverrides(store.client));
        if (options.format === 'json') printJson(io, { overrides });
        else if (overrides.length === 0) ctx.log.info('no manual links: every incident is linked automatically');
        else io.out(`${table(['incident', 'decision', 'deployment', 'at', 'by', 'note'], overrides.map((row) => [row.incident, row.action, row.action === 'link' ? row.deployment : '-', shortTime(row.at), row.author, row.note]))}\n`);
        return exit(ExitCode.ok);
      }
      if (!incident || !deployment) {
        command.error('error: name the incident and the deployment: dora link INCIDENT DEPLOYMENT (or --list)', { exitCode: ExitCode.usage, code: 'dora.usage' });
      }
      const { warnings, ...override } = await withStore(ctx, (store) =>
        linkIncident(store.client, incident!, deployment!, { note: options.note, author: author(), production: ctx.loaded.config.production }),
      );
      for (const warning of warnings) ctx.log.warn(warning);
      if (options.format === 'json') printJson(io, override);
      else ctx.log.info(describe(override));
      exit(ExitCode.ok);
    });
}

export function unlinkCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('unlink')
    .description('Say that no deployment caused an incident, or hand it back to automatic linking (--reset)')
    .argument('<incident>', 'incident id as stored, e.g. pagerduty:Q1ABC')
    .option('--reset', 'forget the manual decision: link the incident automatically again')
    .option('--note <text>', 'why (shown by report --explain)')
    .addOption(formatOption())
    .addHelpText(
      'after',
      `
Examples:
  $ dora unlink pagerduty:Q1ABC --note "upstream provider outage"
  $ dora unlink pagerduty:Q1ABC --reset`,
    )
    .action(async (incident: string, options: { reset?: boolean; note?: string; format: OutputFormat }, command: Command) => {
      const ctx = commandContext(command, io);
      const override = await withStore(ctx, (store) => unlinkIncident(store.client, incident, { reset: Boolean(options.reset), note: options.note, author: author() }));
      if (options.format === 'json') printJson(io, override);
      else ctx.log.info(describe(override));
      exit(ExitCode.ok);
    });
}
