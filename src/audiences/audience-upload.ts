import type { CountryCode } from 'libphonenumber-js';
import type { Audience, PrismaClient } from '../generated/prisma/client';
import { quoteCsvField } from '../shared/csv';
import { escapeNul } from '../shared/variable-rules';
import type { AudienceStatus, Channel } from '../shared/states';
import { AudienceFileRefused, AudienceTooLarge, CsvUnreadable } from './audience-errors';
import { readAudienceHeader, type AudienceHeader } from './audience-header';
import { checkAudienceRow, duplicateReason, type RowRules } from './audience-row';
import { readFileRecords, type FileRecord, type UploadBody } from './csv-file-records';

/** Rows (and error rows) written per INSERT. */
const BATCH_ROWS = 1000;
/** Longest CSV record read; a longer one stops the upload (most likely an unclosed quote swallowing the file). */
export const MAX_RECORD_BYTES = 128 * 1024;

export interface AudienceUploadRequest {
  teamId: string;
  apiKeyId: string;
  name: string;
  channel: Channel;
  /** DEFAULT_PHONE_REGION. */
  region: CountryCode;
  /** AUDIENCE_MAX_ROWS: data rows, valid and invalid. */
  maxRows: number;
  /** AUDIENCE_MAX_BYTES: the whole body. */
  maxBytes: number;
  /** How many error rows the result lists (all are stored and counted). */
  listLimit: number;
}

/** A refused row as the upload answer lists it. */
export interface RowError {
  line: number;
  reason: string;
}

export interface AudienceUploadResult {
  audience: Audience;
  /** The first `listLimit` error rows, by line. */
  errors: RowError[];
}

/**
 * Reads an audience CSV as it streams in and stores it: the header names the
 * receiver and variable columns, then each data row is checked
 * (checkAudienceRow) and written in batches, valid rows to `audience_row`,
 * refused ones with their reason and text to `audience_error`. A receiver
 * seen on an earlier line makes the later row an error ("duplicate of line
 * N"); the unique index on (audience, receiver) finds them, so memory stays
 * flat however long the file. The audience is UPLOADING while rows stream
 * in and READY at the end. A file refused as a whole (bad header, broken
 * CSV, too many rows) leaves nothing stored; a body that breaks off (or any
 * other failure) leaves the audience FAILED, its partial rows unused.
 */
export async function uploadAudience(prisma: PrismaClient, request: AudienceUploadRequest, body: UploadBody): Promise<AudienceUploadResult> {
  const records = readFileRecords(body, MAX_RECORD_BYTES, request.maxBytes);
  try {
    const header = await readHeader(records);
    const first = await records.next();
    if (first.done) throw new AudienceFileRefused('NO_ROWS', 'the file has a header but no data rows');
    const audience = await prisma.audience.create({
      data: { teamId: request.teamId, name: request.name, channel: request.channel, variableColumns: header.variableColumns.map((column) => column.name), createdBy: request.apiKeyId },
    });
    const writer = new AudienceWriter(prisma, audience.id, request.listLimit);
    try {
      await readRows(first.value, records, { header, channel: request.channel, region: request.region }, writer, request.maxRows);
      const ready = await prisma.audience.update({
        where: { id: audience.id },
        data: { status: 'READY' satisfies AudienceStatus, rowCount: writer.rowCount, invalidCount: writer.invalidCount, finishedAt: new Date() },
      });
      return { audience: ready, errors: writer.firstErrors };
    } catch (error) {
      await abandon(prisma, audience.id, writer, error);
      throw error;
    }
  } finally {
    await records.return(undefined);
  }
}

async function readHeader(records: AsyncGenerator<FileRecord>): Promise<AudienceHeader> {
  const first = await records.next();
  if (first.done) throw new AudienceFileRefused('EMPTY_FILE', 'the file is empty: its first line must be the header (receiver, then one column per variable)');
  const check = readAudienceHeader(first.value.fields);
  if (!check.ok) throw new AudienceFileRefused('INVALID_HEADER', `header (line ${first.value.line}): ${check.reason}`);
  return check.header;
}

async function readRows(first: FileRecord, rest: AsyncGenerator<FileRecord>, rules: RowRules, writer: AudienceWriter, maxRows: number): Promise<void> {
  let rows = 0;
  let record: FileRecord | undefined = first;
  while (record) {
    rows += 1;
    if (rows > maxRows) throw new AudienceTooLarge(maxRows, 'data rows', 'AUDIENCE_MAX_ROWS');
    const check = checkAudienceRow(record.fields, rules);
    if (check.ok) await writer.addRow(record, check.receiver, check.variables);
    else await writer.addError(record, check.reason);
    const next = await rest.next();
    record = next.done ? undefined : next.value;
  }
  await writer.finish();
}

/**
 * Nothing stored for a file refused as a whole; FAILED (with what was read)
 * for anything else. Best effort: the database may be what failed.
 */
async function abandon(prisma: PrismaClient, audienceId: string, writer: AudienceWriter, error: unknown): Promise<void> {
  await writer.settled();
  try {
    if (error instanceof AudienceTooLarge || error instanceof CsvUnreadable) {
      await prisma.audience.delete({ where: { id: audienceId } });
    } else {
      await prisma.audience.update({ where: { id: audienceId }, data: { status: 'FAILED' satisfies AudienceStatus, rowCount: writer.rowCount, invalidCount: writer.invalidCount, finishedAt: new Date() } });
    }
  } catch {
    // The original error is what the caller learns; a FAILED mark that could not be written leaves the audience UPLOADING, never READY.
  }
}

interface PendingRow {
  record: FileRecord;
  receiver: string;
  variables: Record<string, string>;
}

interface PendingError extends RowError {
  raw: string;
}

/**
 * Batches rows and error rows of one audience into multi-row INSERTs, and
 * counts them. One batch is written while the next is read: a batch starts
 * only when the one before it is written, so duplicates of earlier batches
 * are always found, and a failed write is thrown at the next batch.
 */
class AudienceWriter {
  rowCount = 0;
  invalidCount = 0;
  readonly firstErrors: RowError[] = [];
  private rows: PendingRow[] = [];
  /** Receivers of the pending rows, to find duplicates within the batch before the database sees them. */
  private batchReceivers = new Set<string>();
  /** Pending rows whose receiver a pending row has: errors, once the first line of the receiver is known. */
  private batchDuplicates: PendingRow[] = [];
  private errors: PendingError[] = [];
  /** The batch being written. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly audienceId: string,
    private readonly listLimit: number,
  ) {}

  async addRow(record: FileRecord, receiver: string, variables: Record<string, string>): Promise<void> {
    const row = { record, receiver, variables };
    if (this.batchReceivers.has(receiver)) this.batchDuplicates.push(row);
    else {
      this.batchReceivers.add(receiver);
      this.rows.push(row);
    }
    if (this.rows.length + this.batchDuplicates.length >= BATCH_ROWS) await this.flush();
  }

  async addError(record: FileRecord, reason: string): Promise<void> {
    this.errors.push({ line: record.line, reason, raw: rawText(record.fields) });
    if (this.errors.length >= BATCH_ROWS) await this.flush();
  }

  /** Every batch written. */
  async finish(): Promise<void> {
    await this.flush();
    await this.writing;
  }

  /** Waits for the batch being written, whatever its outcome (before the audience is marked or deleted). */
  async settled(): Promise<void> {
    await this.writing.catch(() => undefined);
  }

  /** Starts writing the pending batch once the one before it is written. */
  private async flush(): Promise<void> {
    const batch = { rows: this.rows, errors: this.errors, duplicates: this.batchDuplicates };
    this.rows = [];
    this.errors = [];
    this.batchDuplicates = [];
    this.batchReceivers = new Set();
    await this.writing;
    this.writing = this.write(batch.rows, batch.errors, batch.duplicates);
    // Awaited at the next batch or in finish(); until then a failure must not count as unhandled.
    this.writing.catch(() => undefined);
  }

  /** Writes the rows, then the errors: those refused by the checks, and the duplicates. */
  private async write(rows: PendingRow[], errors: PendingError[], duplicates: PendingRow[]): Promise<void> {
    if (rows.length > 0) duplicates.push(...(await this.insertRows(rows)));
    if (duplicates.length > 0) errors.push(...(await this.duplicateErrors(duplicates)));
    if (errors.length === 0) return;
    errors.sort((a, b) => a.line - b.line);
    await this.prisma.$executeRaw`
      INSERT INTO audience_error (audience_id, line, reason, raw)
      SELECT ${this.audienceId}::uuid, e.line, e.reason, e.raw
      FROM unnest(${errors.map((e) => e.line)}::int[], ${errors.map((e) => e.reason)}::text[], ${errors.map((e) => e.raw)}::text[]) AS e(line, reason, raw)`;
    this.invalidCount += errors.length;
    for (const { line, reason } of errors.slice(0, Math.max(0, this.listLimit - this.firstErrors.length))) this.firstErrors.push({ line, reason });
  }

  /** Inserts the rows; answers the ones whose receiver a row of an earlier batch holds. */
  private async insertRows(rows: PendingRow[]): Promise<PendingRow[]> {
    const inserted = await this.prisma.$queryRaw<Array<{ line: number }>>`
      INSERT INTO audience_row (audience_id, line, receiver, variables)
      SELECT ${this.audienceId}::uuid, r.line, r.receiver, r.variables::jsonb
      FROM unnest(${rows.map((r) => r.record.line)}::int[], ${rows.map((r) => r.receiver)}::text[], ${rows.map((r) => JSON.stringify(r.variables))}::text[]) AS r(line, receiver, variables)
      ON CONFLICT (audience_id, receiver) DO NOTHING
      RETURNING line`;
    this.rowCount += inserted.length;
    if (inserted.length === rows.length) return [];
    const insertedLines = new Set(inserted.map((row) => row.line));
    return rows.filter((row) => !insertedLines.has(row.record.line));
  }

  /** Each duplicate as an error naming the line that holds its receiver (the first one in the file: rows are written in line order). */
  private async duplicateErrors(duplicates: PendingRow[]): Promise<PendingError[]> {
    const stored = await this.prisma.$queryRaw<Array<{ receiver: string; line: number }>>`
      SELECT receiver, line FROM audience_row WHERE audience_id = ${this.audienceId}::uuid AND receiver = ANY(${[...new Set(duplicates.map((row) => row.receiver))]}::text[])`;
    const firstLine = new Map(stored.map((row) => [row.receiver, row.line]));
    return duplicates.map((row) => ({ line: row.record.line, reason: duplicateReason(firstLine.get(row.receiver) ?? 0), raw: rawText(row.record.fields) }));
  }
}

/** The refused row as one CSV record (its fields re-quoted where needed), so it can be fixed and uploaded again. */
function rawText(fields: string[]): string {
  return escapeNul(fields.map(quoteCsvField).join(','));
}
