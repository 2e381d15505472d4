import { StringDecoder } from 'node:string_decoder';

/**
 * Lines of a byte stream, pulled one chunk at a time so a slow consumer holds
 * back the reader (readline buffers ahead). Yields `[lineNumber, text]`, 1-based,
 * without the line terminator; a UTF-8 byte order mark on the first line is dropped.
 */
export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<[number, string]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNumber = 0;
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let newline: number;
    while ((newline = pending.indexOf('\n', start)) !== -1) {
      yield [++lineNumber, clean(pending.slice(start, newline), lineNumber)];
      start = newline + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending.length > 0) yield [++lineNumber, clean(pending, lineNumber)];
}

function clean(line: string, lineNumber: number): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return lineNumber === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
