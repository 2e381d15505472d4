import { Command } from 'commander';
import { eventsJsonSchema } from '../../events/json-schema.js';
import type { Io } from '../../log.js';
import { printJson } from '../context.js';

export function schemaCommand(io: Io, exit: (code: number) => void): Command {
  return new Command('schema')
    .description('Print the JSON Schema of the canonical events (the `dora import` format)')
    .addHelpText(
      'after',
      `
Examples:
  $ dora schema > dora-events.schema.json
  $ dora schema | jq '.oneOf[].properties.kind.const'`,
    )
    .action(() => {
      printJson(io, eventsJsonSchema());
      exit(0);
    });
}
