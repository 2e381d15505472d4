import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectors } from '../src/collectors/registry.js';
import { parseConfig } from '../src/config/load.js';

describe("the README's configuration example", () => {
  it('is a valid config, and every source section is accepted by its collector', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const config = parseConfig(example!, 'README.md');
    expect(Object.keys(config.sources).sort()).toEqual(['git', 'github', 'heroku', 'pagerduty']);
    for (const [id, value] of Object.entries(config.sources)) {
      const parsed = collectors[id]!.configSchema.safeParse(value);
      expect(parsed.success, `sources.${id}`).toBe(true);
    }
    expect(config.services.api?.team).toBe('core');
  });
});
