import { describe, expect, it } from 'vitest';
import { readLines } from './lines.js';

async function collect(chunks: (string | Buffer)[]) {
  const lines: [number, string][] = [];
  for await (const entry of readLines((async function* () { yield* chunks; })())) lines.push(entry);
  return lines;
}

describe('readLines', () => {
  it('numbers lines across chunk boundaries, with or without a final newline', async () => {
    expect(await collect(['a\nb', 'c\n', 'd'])).toEqual([[1, 'a'], [2, 'bc'], [3, 'd']]);
    expect(await collect(['a\n', '\n'])).toEqual([[1, 'a'], [2, '']]);
  });

  it('drops CR of CRLF endings and a byte order mark on the first line', async () => {
    expect(await collect(['\ufeff{"a":1}\r\n{"b":2}\r\n'])).toEqual([[1, '{"a":1}'], [2, '{"b":2}']]);
  });

  it('decodes a UTF-8 character split between two chunks', async () => {
    const bytes = Buffer.from('café\n', 'utf8');
    expect(await collect([bytes.subarray(0, 4), bytes.subarray(4)])).toEqual([[1, 'café']]);
  });
});
