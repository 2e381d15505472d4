import { z } from 'zod';
import { eventInputShapes } from './schemas.js';

/** JSON Schema (draft 2020-12) of one NDJSON line: any of the canonical event kinds, selected by `kind`. */
export function eventsJsonSchema(): Record<string, unknown> {
  const union = z.discriminatedUnion('kind', [
    eventInputShapes.commit.loose(),
    eventInputShapes.pull_request.loose(),
    eventInputShapes.deployment.loose(),
    eventInputShapes.incident.loose(),
  ]);
  return {
    ...z.toJSONSchema(union, { io: 'input', unrepresentable: 'any' }),
    title: 'dora-agent canonical event',
    description:
      'One JSON object per line (NDJSON). `kind` selects the shape. Times are ISO-8601 with a zone and are stored as UTC. Unknown fields are kept in `extra`.',
  };
}
