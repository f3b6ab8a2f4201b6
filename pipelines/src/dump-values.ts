import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/** One top-level JSON value of a dump file, or why the text at that place is not one. */
export type DumpValue = { line: number; value: unknown } | { line: number; error: string };

/** Whether the file starts with gzip's magic bytes. */
async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** A line of a file, or why the rest of the file could not be read (a gzip cut short, a read error). */
type Line = { text: string; n: number } | { n: number; error: string };

/**
 * The file's lines (gunzipped when it is gzip, whatever its name), with their numbers from 1. A stream
 * error ends the lines with one saying why, after the lines read before it.
 */
async function* linesOf(path: string): AsyncGenerator<Line> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  // pipe() does not forward the file's own errors to the gunzip stream.
  if (gzip) raw.on('error', (error) => stream.destroy(error));
  stream.setEncoding('utf8');
  let rest = '';
  let n = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
        yield { text: text.slice(start, i), n: ++n };
        start = i + 1;
      }
      rest = text.slice(start);
    }
  } catch (error) {
    // What was read before the error is still yielded: a cut-short last line is reported as such.
    if (rest !== '') yield { text: rest, n: ++n };
    yield { n: n + 1, error: readError(error, gzip) };
    return;
  } finally {
    raw.destroy();
  }
  if (rest !== '') yield { text: rest, n: ++n };
}

function readError(error: unknown, gzip: boolean): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (gzip && (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String(error))))
    return 'gzip cut short: the rest of the file is missing';
  if (gzip && code?.startsWith('Z_')) return `gzip data broken (${code}): the rest of the file was not read`;
  return `cannot read the rest of the file (${code ?? (error as Error).message})`;
}

/**
 * The JSON values of a dump file, in order, each with the line it starts on: JSON Lines (every line a
 * value, found by the first non-empty line parsing alone), or JSON values one after another, pretty-printed
 * or not (`cat page-*.json > dump.json`). A value that does not parse is yielded as an error and the reading
 * goes on: in JSON Lines with the next line; in concatenated JSON with the next value, where a value cut
 * short is recognised by a line that ends inside a string (JSON strings hold no raw line break) or by a
 * `{` at the start of a line while one is still open (how every printer starts a page). gzip is read
 * whatever the file's name; a file that cannot be read to its end (a gzip cut short) ends with an error.
 */
export async function* dumpValues(path: string): AsyncGenerator<DumpValue> {
  const lines = linesOf(path);
  let mode: 'lines' | 'values' | undefined;
  const scanner = new ValueScanner();
  for await (const l of lines) {
    if ('error' in l) {
      yield* scanner.end();
      yield { line: l.n, error: l.error };
      return;
    }
    const { text: line, n } = l;
    if (mode === undefined) {
      if (line.trim() === '') continue;
      try {
        yield { line: n, value: JSON.parse(line) };
        mode = 'lines';
        continue;
      } catch {
        // Not a whole value on its first line: values spread over lines.
        mode = 'values';
      }
    }
    if (mode === 'lines') {
      if (line.trim() === '') continue;
      try {
        yield { line: n, value: JSON.parse(line) };
      } catch (error) {
        yield { line: n, error: `not JSON: ${(error as Error).message}` };
      }
    } else {
      yield* scanner.feed(line, n);
    }
  }
  yield* scanner.end();
}

/** Splits text into top-level JSON values by counting brackets outside strings. */
class ValueScanner {
  #parts: string[] = [];
  #startLine = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  *feed(line: string, n: number): Generator<DumpValue> {
    // A page printed from its first column while another is open: the open one was cut short.
    if (this.#depth > 0 && line.startsWith('{')) yield* this.#fail('cut short (no closing bracket)');
    let from = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === 0x5c) this.#escaped = true;
        else if (c === 0x22) this.#inString = false;
        continue;
      }
      if (c === 0x22 && this.#depth > 0) {
        this.#inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        if (this.#depth === 0 && this.#parts.length === 0) {
          this.#startLine = n;
          from = i;
        }
        this.#depth++;
      } else if (c === 0x7d || c === 0x5d) {
        this.#depth--;
        if (this.#depth === 0) {
          this.#parts.push(line.slice(from, i + 1));
          yield this.#take();
          from = i + 1;
        } else if (this.#depth < 0) {
          this.#depth = 0;
          yield { line: n, error: 'a closing bracket with nothing open' };
          from = i + 1;
        }
      } else if (this.#depth === 0 && c > 0x20) {
        // Text between values: only white space belongs there.
        const end = line.indexOf('{', i);
        yield { line: n, error: `text outside any JSON value: ${JSON.stringify(line.slice(i, i + 40))}` };
        if (end === -1) return;
        i = end - 1;
        from = end;
      }
    }
    // JSON strings hold no raw line break: a line that ends inside one belongs to a value cut short.
    if (this.#inString) yield* this.#fail('cut short inside a string (a line ends before its closing quote)');
    else if (this.#depth > 0) this.#parts.push(`${line.slice(from)}\n`);
  }

  *end(): Generator<DumpValue> {
    if (this.#depth > 0 || this.#parts.length > 0) yield* this.#fail('cut short at the end of the file');
  }

  *#fail(reason: string): Generator<DumpValue> {
    const line = this.#startLine;
    this.#reset();
    yield { line, error: reason };
  }

  #take(): DumpValue {
    const text = this.#parts.join('');
    const line = this.#startLine;
    this.#reset();
    try {
      return { line, value: JSON.parse(text) };
    } catch (error) {
      return { line, error: `not JSON: ${(error as Error).message}` };
    }
  }

  #reset(): void {
    this.#parts = [];
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
  }
}
