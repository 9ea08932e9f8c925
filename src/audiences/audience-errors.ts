/**
 * Why an audience upload was refused or did not finish. The API turns each
 * into its answer (src/api/routes/audiences.ts); none of the messages
 * quotes the file's contents.
 */

/** Why a file is refused before any row is read: nothing is stored. */
export type FileRefusal = 'EMPTY_FILE' | 'INVALID_HEADER' | 'NO_ROWS';

/** The file has no header, a header that cannot be used (no receiver column, duplicate or bad names), or no data rows: nothing is stored. */
export class AudienceFileRefused extends Error {
  constructor(
    readonly refusal: FileRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** The file has more data rows than AUDIENCE_MAX_ROWS, or more bytes than AUDIENCE_MAX_BYTES: nothing is stored. */
export class AudienceTooLarge extends Error {
  constructor(
    readonly limit: number,
    unit: 'data rows' | 'bytes',
    setting: 'AUDIENCE_MAX_ROWS' | 'AUDIENCE_MAX_BYTES',
  ) {
    super(`the file has more than ${limit} ${unit} (${setting})`);
  }
}

/** The CSV itself breaks at `line` (a quote never closed, a record too long): nothing after it can be read, so nothing is stored. */
export class CsvUnreadable extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** The body stopped before its end (the client went away): the audience is FAILED. */
export class UploadBrokeOff extends Error {
  constructor(cause: unknown) {
    super('the upload broke off before the end of the file', { cause });
  }
}
