import { Command, Option } from 'commander';
import { collectors } from '../../collectors/registry.js';
import { runCollector, type RunSummary } from '../../collectors/runner.js';
import type { Collector } from '../../collectors/types.js';
import { ConfigError, ExitCode } from '../../errors.js';
import type { Io } from '../../log.js';
import { commandContext, printJson, withStore, type CommandContext, type OutputFormat } from '../context.js';
import { createProgress } from '../progress.js';
import { number } from '../render.js';

export function collectCommand(io: Io, exit: (code: number) => void): Command {
  const collect = new Command('collect')
    .description('Collect events from the sources in the config file, or from one source given by its flags')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Without a source, every source configured under "sources" in dora.config.json runs.
Each run reads only what is new since the last one (cursors are kept in the store).

Examples:
  $ dora collect
  $ dora collect --format json`,
    )
    .action(async (options: { format: OutputFormat }, command: Command) => {
      const ctx = commandContext(command, io);
      const configured = Object.keys(ctx.loaded.config.sources).filter((id) => id in collectors);
      const unknown = Object.keys(ctx.loaded.config.sources).filter((id) => !(id in collectors));
      for (const id of unknown) ctx.log.warn('no collector for configured source', { source: id, known: Object.keys(collectors).join(', ') });
      if (configured.length === 0) {
        throw new ConfigError('no sources to collect from: the config has no "sources" section with a known collector', {
          suggestion: `configure one in dora.config.json, or run one directly: ${Object.keys(collectors).map((id) => `dora collect ${id} --help`).join(', ') || 'dora import FILE'}`,
        });
      }
      exit(await collectSources(ctx, configured.map((id) => [collectors[id]!, ctx.loaded.config.sources[id]]), options.format));
    });

  for (const collector of Object.values(collectors)) collect.addCommand(sourceCommand(collector, io, exit));
  return collect;
}

function sourceCommand(collector: Collector, io: Io, exit: (code: number) => void): Command {
  const command = new Command(collector.id).description(collector.description);
  for (const flag of collector.flags ?? []) command.option(flag.flags, `${flag.description} (config: sources.${collector.id}.${flag.key})`);
  if (collector.examples?.length) {
    command.addHelpText('after', `\nExamples:\n${collector.examples.map((line) => `  $ ${line}`).join('\n')}`);
  }
  return command.action(async (options: Record<string, unknown>, cmd: Command) => {
    const ctx = commandContext(cmd, io);
    const flags: Record<string, unknown> = {};
    for (const flag of collector.flags ?? []) {
      const name = cmd.options.find((option) => option.flags === flag.flags)?.attributeName();
      if (name && options[name] !== undefined) flags[flag.key] = options[name];
    }
    const section = ctx.loaded.config.sources[collector.id];
    const merged = collector.mergeFlags ? collector.mergeFlags(section, flags) : { ...((section as object) ?? {}), ...flags };
    // `--format` is declared once, on `dora collect`: commander hands it to the parent wherever it is typed.
    exit(await collectSources(ctx, [[collector, merged]], cmd.optsWithGlobals<{ format: OutputFormat }>().format));
  });
}

async function collectSources(ctx: CommandContext, runs: [Collector, unknown][], format: OutputFormat): Promise<number> {
  const summaries: (RunSummary & { error?: string })[] = [];
  let code: number = ExitCode.ok;
  await withStore(ctx, async (store) => {
    for (const [collector, section] of runs) {
      const progress = createProgress(ctx.io, { label: `collecting ${collector.id}`, unit: 'events' });
      try {
        const summary = await runCollector(store.client, collector, {
          agent: ctx.loaded.config,
          section,
          log: ctx.log,
          onBatch: (written) => progress.update(Object.values(written).reduce((a, b) => a + b, 0), `${collector.id}`),
        });
        progress.stop();
        summaries.push(summary);
        const kinds = Object.entries(summary.events).filter(([, count]) => count > 0).map(([kind, count]) => `${number(count)} ${kind}`);
        if (format === 'text') ctx.log.info(`collected from ${collector.id}: ${kinds.join(', ') || 'nothing new'}`);
      } catch (error) {
        progress.stop();
        // One source failing must not stop the others; its error decides the exit code.
        if (runs.length === 1) throw error;
        ctx.log.error(`collection failed`, { source: collector.id, reason: (error as Error).message });
        summaries.push({ collector: collector.id, batches: 0, events: { commit: 0, pull_request: 0, deployment: 0, incident: 0 }, error: (error as Error).message });
        code = (error as { exitCode?: number }).exitCode ?? ExitCode.failure;
      }
    }
  });
  if (format === 'json') printJson(ctx.io, { runs: summaries });
  return code;
}
