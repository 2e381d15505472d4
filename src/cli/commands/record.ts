import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { AgentError, ExitCode } from '../../errors.js';
import { parseEvent, type EventIssue } from '../../events/parse.js';
import { nowIso } from '../../events/time.js';
import type { Io } from '../../log.js';
import { recordRun, writeEvents } from '../../store/writer.js';
import { commandContext, printJson, withStore, type OutputFormat } from '../context.js';

/** Field of the canonical event -> the flag that sets it, so errors name what the user typed. */
type FlagMap = Record<string, string>;

const deploymentFlags: FlagMap = {
  id: '--id', service: '--service', environment: '--env', status: '--status', sha: '--sha', repo: '--repo',
  version: '--release', finished_at: '--finished-at', started_at: '--started-at', rollback_of: '--rollback-of',
  url: '--url', source: '--source',
};

const incidentFlags: FlagMap = {
  id: '--id', service: '--service', opened_at: '--opened-at', resolved_at: '--resolved-at', title: '--title',
  severity: '--severity', deployment: '--deployment', url: '--url', source: '--source',
};

export function recordCommand(io: Io, exit: (code: number) => void): Command {
  const record = new Command('record').description('Record one deployment or incident from a CI step or a script');

  record
    .command('deployment')
    .description('Record one deployment (same validation as `dora import`)')
    .requiredOption('--service <name>', 'the service deployed')
    .option('--env <name>', 'environment', 'production')
    .option('--status <status>', 'success, failure, in_progress or cancelled', 'success')
    .option('--sha <sha>', 'the commit deployed (full or 7+ characters)')
    .option('--repo <owner/name>', 'the repository the commit is in')
    .option('--release <version>', 'release version or tag (v1.4.2, v42); the release a Heroku-style rollback names')
    .option('--finished-at <time>', 'ISO-8601 time with zone (default: now)')
    .option('--started-at <time>', 'ISO-8601 time with zone')
    .option('--rollback-of <id>', 'id of the deployment this one rolls back')
    .option('--url <url>', 'link to the deploy job or release')
    .option('--source <name>', 'where it came from (default: record)')
    .option('--id <id>', 'stable id; pass your CI run id so a retried step records once (default: from service, env, sha and time)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ dora record deployment --service api --env production --sha $GITHUB_SHA --status success
  $ dora record deployment --service api --sha $SHA --id "gha-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT"
  $ dora record deployment --service api --release v42 --rollback-of api-v41 --id api-v42`,
    )
    .action(async (options: Record<string, string>, command: Command) => {
      const finished_at = options.finishedAt ?? nowIso();
      const raw = {
        kind: 'deployment',
        id: options.id ?? `record:${options.service}:${options.env}:${options.sha ?? options.release ?? '-'}:${finished_at}`,
        service: options.service,
        environment: options.env,
        status: options.status,
        finished_at,
        sha: options.sha,
        repo: options.repo,
        version: options.release,
        started_at: options.startedAt,
        rollback_of: options.rollbackOf,
        url: options.url,
        source: options.source,
      };
      exit(await store(command, io, raw, deploymentFlags, options.format as OutputFormat));
    });

  record
    .command('incident')
    .description('Record one incident, or update it (resolve it) by recording the same --id again')
    .requiredOption('--id <id>', 'the incident id in your incident tool')
    .requiredOption('--service <name>', 'the service affected')
    .option('--opened-at <time>', 'ISO-8601 time with zone (default: now)')
    .option('--resolved-at <time>', 'ISO-8601 time with zone')
    .option('--title <text>', 'title')
    .option('--severity <level>', 'severity or priority (SEV1, P2, high)')
    .option('--deployment <id>', 'id of the deployment that caused it, when known')
    .option('--url <url>', 'link to the incident')
    .option('--source <name>', 'where it came from (default: record)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ dora record incident --id INC-42 --service api --opened-at 2026-03-01T10:05:00Z --title "5xx on checkout"
  $ dora record incident --id INC-42 --service api --opened-at 2026-03-01T10:05:00Z --resolved-at 2026-03-01T10:50:00Z`,
    )
    .action(async (options: Record<string, string>, command: Command) => {
      const raw = {
        kind: 'incident',
        id: options.id,
        service: options.service,
        opened_at: options.openedAt ?? nowIso(),
        resolved_at: options.resolvedAt,
        title: options.title,
        severity: options.severity,
        deployment: options.deployment,
        url: options.url,
        source: options.source,
      };
      exit(await store(command, io, raw, incidentFlags, options.format as OutputFormat));
    });

  return record;
}

async function store(command: Command, io: Io, raw: Record<string, unknown>, flags: FlagMap, format: OutputFormat): Promise<number> {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const parsed = parseEvent(defined);
  if (!parsed.ok) throw invalidFlags(parsed.issues, flags);
  const ctx = commandContext(command, io);
  const started_at = nowIso();
  await withStore(ctx, async (store) => {
    await writeEvents(store.client, [parsed.event], { source: 'record' });
    await recordRun(store.client, {
      run_id: randomUUID(),
      source: 'record',
      scope: `${parsed.event.kind} ${'id' in parsed.event ? parsed.event.id : ''}`,
      started_at,
      finished_at: nowIso(),
      status: 'ok',
      accepted: 1,
      rejected: 0,
      message: '',
    });
  });
  if (format === 'json') printJson(io, parsed.event);
  else if (parsed.event.kind === 'deployment') {
    const { id, service, environment, status } = parsed.event;
    ctx.log.info(`recorded deployment ${id} of ${service} to ${environment} (${status})`);
  } else if (parsed.event.kind === 'incident') {
    const { id, service, resolved_at } = parsed.event;
    ctx.log.info(`recorded incident ${id} of ${service} (${resolved_at ? 'resolved' : 'open'})`);
  }
  return ExitCode.ok;
}

function invalidFlags(issues: EventIssue[], flags: FlagMap): AgentError {
  const lines = issues.map((issue) => `${flags[issue.field] ?? issue.field}: ${issue.reason}`);
  return new AgentError('input', `not recorded:\n  ${lines.join('\n  ')}`, { exitCode: ExitCode.usage });
}
