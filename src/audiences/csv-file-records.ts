import { once } from 'node:events';
import { CsvError, parse, type Parser } from 'csv-parse';
import { AudienceTooLarge, CsvUnreadable, UploadBrokeOff } from './audience-errors';

/** One CSV record and the line of the file it starts on (1 = the header). */
export interface FileRecord {
  line: number;
  fields: string[];
}

/** A request body: its chunks, and whether it arrived whole (node's IncomingMessage). */
export type UploadBody = AsyncIterable<Buffer | string> & { readonly complete: boolean };

/**
 * Streams the records of a CSV body without holding the body: csv-parse
 * reads it chunk by chunk (UTF-8, CRLF, LF or CR line ends, even mixed; a
 * stray quote inside an unquoted field is kept as text). Each record carries
 * the file line it starts on, counted here from the line breaks inside its
 * quoted fields (csv-parse's own count is off after a CRLF inside quotes).
 * Blank lines are skipped but counted. Broken CSV (a quote never closed, a
 * record longer than `maxRecordBytes`) is a CsvUnreadable at the line of the
 * record it breaks; a body that stops early is an UploadBrokeOff.
 */
export async function* readFileRecords(body: UploadBody, maxRecordBytes: number, maxBodyBytes = Number.POSITIVE_INFINITY): AsyncGenerator<FileRecord> {
  // A broken record is "skipped" with its error, not thrown: a throw would drop the records parsed before it,
  // and with them the count of lines up to the broken one.
  let broken: { recordsBefore: number; error: CsvError } | null = null;
  const parser: Parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: maxRecordBytes,
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error instanceof CsvError && broken === null) broken = { recordsBefore: parser.info.records, error };
    },
  });
  const stop = new AbortController();
  // Not awaited: once the records are read (or reading failed) the feeder ends at its next chunk.
  void feed(body, parser, stop.signal, maxBodyBytes);
  let nextLine = 1;
  let records = 0;
  try {
    for await (const output of parser) {
      throwIfBrokenAfter(records);
      const fields = fieldsOf(output);
      const line = nextLine;
      nextLine += 1 + fields.reduce((breaks, field) => breaks + lineBreaks(field), 0);
      records += 1;
      if (fields.length === 1 && fields[0] === '') continue;
      yield { line, fields };
    }
    throwIfBrokenAfter(records);
  } finally {
    stop.abort();
    parser.destroy();
  }

  /** Once every record before the broken one is read, `nextLine` is the line the broken one starts on. */
  function throwIfBrokenAfter(read: number): void {
    if (broken && read >= broken.recordsBefore) throw new CsvUnreadable(nextLine, csvProblem(broken.error, maxRecordBytes));
  }
}

/**
 * Writes the body into the parser with backpressure; a body longer than
 * `maxBodyBytes` destroys the parser with AudienceTooLarge, one that fails or
 * ends short with UploadBrokeOff. Never rejects.
 */
async function feed(body: UploadBody, parser: Parser, stop: AbortSignal, maxBodyBytes: number): Promise<void> {
  let bytes = 0;
  try {
    for await (const chunk of body) {
      if (stop.aborted) return;
      bytes += Buffer.byteLength(chunk);
      if (bytes > maxBodyBytes) throw new AudienceTooLarge(maxBodyBytes, 'bytes', 'AUDIENCE_MAX_BYTES');
      if (!parser.write(chunk)) await once(parser, 'drain', { signal: stop });
    }
    if (!body.complete) throw new Error('the body ended before its announced length');
    parser.end();
  } catch (error) {
    if (!stop.aborted) parser.destroy(error instanceof AudienceTooLarge ? error : new UploadBrokeOff(error));
  }
}

function fieldsOf(output: unknown): string[] {
  if (!Array.isArray(output)) throw new Error('csv-parse gave a record that is not a list of fields');
  return output.map(String);
}

/** Line breaks inside one field (only quoted fields hold them): CRLF, LF and CR each count once. */
function lineBreaks(field: string): number {
  if (!field.includes('\n') && !field.includes('\r')) return 0;
  return field.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/** csv-parse's error in our words, without quoting the file (its own messages quote field values). */
function csvProblem(error: CsvError, maxRecordBytes: number): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field starting in this record is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by other text (inside a quoted field, write a quote as two quotes "")';
    case 'CSV_MAX_RECORD_SIZE':
      return `the record is longer than ${maxRecordBytes} bytes (an unclosed quote?)`;
    default:
      return `the CSV cannot be read here (${error.code})`;
  }
}
