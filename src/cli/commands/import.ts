import { Command, Option } from 'commander';
import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import { ExitCode, AgentError } from '../../errors.js';
import { importEvents, type RejectedLine } from '../../ingest/import.js';
import type { Io } from '../../log.js';
import { commandContext, printJson, withStore, type OutputFormat } from '../context.js';
import { createProgress } from '../progress.js';
import { number } from '../render.js';

const SHOWN_REJECTS = 20;

export function importCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('import')
    .description('Stream NDJSON canonical events (see `dora schema`) into the store')
    .argument('<file>', 'an NDJSON file, or - for standard input')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--rejects <file>', 'write every rejected line (line number, field, reason) to this NDJSON file')
    .addHelpText(
      'after',
      `
Every valid line is stored; every invalid line is reported with its line number,
field and reason, and skipped. Re-importing the same file changes nothing.
Exit code: 0 all lines imported, 3 some lines rejected (the valid ones are stored).

Examples:
  $ dora import events.ndjson
  $ ci-export | dora import - --format json
  $ dora import events.ndjson --rejects rejected.ndjson`,
    )
    .action(async (file: string, options: { format: OutputFormat; rejects?: string }, command: Command) => {
      const ctx = commandContext(command, io);
      const fromStdin = file === '-';
      const scope = fromStdin ? 'stdin' : basename(file);
      let total: number | undefined;
      if (!fromStdin) {
        try {
          total = statSync(file).size;
        } catch (error) {
          throw new AgentError('input', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { exitCode: ExitCode.usage });
        }
      }
      const input = fromStdin ? process.stdin : createReadStream(file);
      const rejectsFile: WriteStream | undefined = options.rejects ? createWriteStream(options.rejects) : undefined;
      const rejected: RejectedLine[] = [];
      const progress = createProgress(io, { label: `importing ${scope}`, unit: 'lines', ...(total ? { total } : {}) });
      const summary = await withStore(ctx, (store) =>
        importEvents(store.client, input, {
          scope,
          onReject: (reject) => {
            if (options.format === 'json') rejected.push(reject);
            else if (rejected.length < SHOWN_REJECTS) {
              rejected.push(reject);
              for (const issue of reject.issues) {
                io.err(`line ${reject.line}: ${issue.field ? `${issue.field}: ` : ''}${issue.reason}\n`);
              }
            }
            rejectsFile?.write(`${JSON.stringify(reject)}\n`);
          },
          onProgress: (lines) => progress.update(fromStdin ? lines : (input as ReturnType<typeof createReadStream>).bytesRead, `${number(lines)} lines`),
        }).finally(() => progress.stop()),
      );
      if (rejectsFile) await new Promise((done) => rejectsFile.end(done));
      if (options.format === 'json') {
        printJson(io, { file: fromStdin ? '-' : file, ...summary, rejected_lines: rejected });
      } else {
        const kinds = Object.entries(summary.events)
          .filter(([, count]) => count > 0)
          .map(([kind, count]) => `${number(count)} ${kind}`)
          .join(', ');
        if (summary.rejected > SHOWN_REJECTS) {
          io.err(`... and ${number(summary.rejected - SHOWN_REJECTS)} more rejected lines${options.rejects ? ` (all in ${options.rejects})` : ' (write them all with --rejects FILE)'}\n`);
        }
        ctx.log.info(`imported ${number(summary.accepted)} events from ${scope}${kinds ? ` (${kinds})` : ''}`);
        if (summary.rejected > 0) io.err(`rejected ${number(summary.rejected)} of ${number(summary.lines)} lines\n`);
      }
      exit(summary.rejected > 0 ? ExitCode.rejectedInput : ExitCode.ok);
    });
}
