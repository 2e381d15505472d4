import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { describeCounts, runDemo } from '../../demo/run.js';
import { ExitCode } from '../../errors.js';
import type { Io } from '../../log.js';
import { renderReport } from '../../reports/index.js';
import { commandContext, type GlobalOptions } from '../context.js';

const Options = z.object({
  seed: z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(0, 'expected 0 or more').max(2 ** 32 - 1),
  out: z.string().min(1).optional(),
  format: z.enum(['table', 'json', 'markdown']),
});

const DEFAULT_HOME = '.dora-demo';

export function demoCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('demo')
    .description('Build a sample organisation in a separate demo store, print its DORA report and write the HTML report')
    .option('--seed <n>', 'random seed: the same seed gives the same organisation and figures', '1')
    .option('--home <dir>', `directory of the demo store (default: ./${DEFAULT_HOME}; never your own store)`)
    .option('--out <file>', 'where to write the HTML report (default: <home>/report.html)')
    .addOption(new Option('--format <format>', 'format of the report printed on stdout').choices(['table', 'json', 'markdown']).default('table'))
    .addHelpText(
      'after',
      `
Four services of three teams over twelve weeks (2026-01-05 to 2026-03-30): pull
requests merged by squash and by merge commit, direct pushes, deployments from
Heroku releases and from git tags, failed attempts, incidents, rollbacks and
reverts. No token and no network needed. Running it again rebuilds the demo store.

Examples:
  $ dora demo
  $ dora demo --seed 7 --out /tmp/dora-demo.html
  $ dora demo --format json | jq '.overall.lead_time'
  $ dora --home .dora-demo/store report --since 2026-01-05 --until 2026-03-30 --service checkout`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = Options.parse(raw);
      const ctx = commandContext(command, io);
      // --home is also the program's option, which commander fills first.
      const home = resolve((command.optsWithGlobals() as GlobalOptions).home ?? DEFAULT_HOME);
      const out = resolve(options.out ?? join(home, 'report.html'));
      ctx.log.info('building the sample organisation', { seed: options.seed, home });
      const demo = await runDemo({ seed: options.seed, home });
      writeFileSync(out, renderReport(demo.report, 'html'));
      const text = renderReport(demo.report, options.format);
      io.out(text.endsWith('\n') ? text : `${text}\n`);
      const store = relative(process.cwd(), join(demo.home, 'store')) || '.';
      ctx.log.info(`stored ${describeCounts(demo.events)} in ${store}`);
      ctx.log.info(`HTML report: ${out}`);
      ctx.log.info(`explore it: dora --home ${store} report --since ${demo.report.window.since.slice(0, 10)} --until ${demo.report.window.until.slice(0, 10)} --explain change_failure_rate`);
      exit(ExitCode.ok);
    });
}
