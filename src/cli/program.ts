import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { ExitCode } from '../errors.js';
import { processIo, type Io } from '../log.js';
import { agentCommand } from './commands/agent.js';
import { alertCommand } from './commands/alert.js';
import { checkCommand } from './commands/check.js';
import { collectCommand } from './commands/collect.js';
import { dashboardsCommand } from './commands/dashboards.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { importCommand } from './commands/import.js';
import { linkCommand, unlinkCommand } from './commands/link.js';
import { recordCommand } from './commands/record.js';
import { releasesCommand } from './commands/releases.js';
import { reportCommand } from './commands/report.js';
import { schemaCommand } from './commands/schema.js';
import { handleError } from './handle-error.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

type CommandFactory = (io: Io, exit: (code: number) => void) => Command;
const commands: CommandFactory[] = [demoCommand, collectCommand, importCommand, recordCommand, reportCommand, linkCommand, unlinkCommand, releasesCommand, checkCommand, alertCommand, agentCommand, dashboardsCommand, doctorCommand, schemaCommand];

/** Build the `dora` program. `exit` receives each command's exit code. */
export function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command('dora')
    .description('DORA metrics and deployment observability: deploys, incidents and commits into ClickHouse')
    .version(version, '-V, --version', 'print the agent version')
    .option('--config <file>', 'config file (default: dora.config.json|yaml in this directory, or DORA_CONFIG)')
    .option('--home <dir>', 'data directory of the embedded store (default: ./.dora, or DORA_HOME)')
    .option('--clickhouse-url <url>', 'use a ClickHouse server instead of the embedded store (DORA_CLICKHOUSE_URL)')
    .option('--clickhouse-user <user>', 'ClickHouse user (DORA_CLICKHOUSE_USER); the password only from DORA_CLICKHOUSE_PASSWORD')
    .option('--clickhouse-database <name>', 'ClickHouse database on a server (default: dora)')
    .option('--clickhouse-cluster <name>', 'create the schema ON CLUSTER, Replicated behind Distributed (DORA_CLICKHOUSE_CLUSTER)')
    .option('-q, --quiet', 'print only warnings and errors')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ dora import events.ndjson          store canonical events (format: dora schema)
  $ dora record deployment --service api --sha $GITHUB_SHA
  $ dora doctor                        what the store holds

Exit codes: 0 ok, 1 failure, 2 usage or config error, 3 some input rejected,
4 store unavailable, 5 source unavailable.`,
    );
  for (const factory of commands) program.addCommand(factory(io, exit));
  configure(program, io);
  return program;
}

function configure(command: Command, io: Io): void {
  command
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .configureHelp({ showGlobalOptions: true });
  for (const sub of command.commands) configure(sub, io);
}

/** Run the CLI with arguments (without `node` and the script), returning the exit code. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (exitCode) => (code = exitCode));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.executeSubCommandAsync') return code;
    return handleError(error, io);
  }
  return code;
}
