import { once } from 'node:events';
import { CsvError, parse } from 'csv-parse';
import { BillRejected, BillTooLarge } from './bill-errors';

/** One CSV record and the line of the file it ends on (1 = the header). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Streams CSV records out of a body without holding the body: csv-parse
 * reads it chunk by chunk (CRLF, LF or CR line ends, even mixed), and more than `maxBytes` stops the read with
 * BillTooLarge. Broken CSV (an unclosed quote) is a BillRejected naming the
 * line; rows with the wrong number of fields are passed on, for the caller
 * to report with their line.
 */
export async function* readCsvRecords(source: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<CsvRecord> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] });
  const stop = new AbortController();
  // Not awaited: once the records are read (or reading failed) the feeder ends at its next chunk.
  void feed(source, parser, maxBytes, stop.signal);
  try {
    for await (const output of parser) yield recordOf(output);
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : 0;
      throw new BillRejected([{ line, field: 'csv', reason: error.message }], 1);
    }
    throw error;
  } finally {
    stop.abort();
    parser.destroy();
  }
}

/** Writes the body into the parser with backpressure; a failure (too large, aborted upload) is passed to the parser. Never rejects. */
async function feed(source: AsyncIterable<Buffer | string>, parser: ReturnType<typeof parse>, maxBytes: number, stop: AbortSignal): Promise<void> {
  let bytes = 0;
  try {
    for await (const chunk of source) {
      if (stop.aborted) return;
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (bytes > maxBytes) throw new BillTooLarge(maxBytes);
      if (!parser.write(chunk)) await once(parser, 'drain', { signal: stop });
    }
    parser.end();
  } catch (error) {
    parser.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

function recordOf(output: unknown): CsvRecord {
  const { record, info } = output as { record: unknown; info: { lines: number } };
  if (!Array.isArray(record)) throw new Error('csv-parse gave a record that is not a list of fields');
  return { line: info.lines, fields: record.map(String) };
}
