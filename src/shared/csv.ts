/** A CSV cell: text, a number, or empty. */
export type CsvCell = string | number | null;

/**
 * Text a spreadsheet would run as a formula (CSV injection): a leading `=`,
 * `+`, `-`, `@`, tab or CR. Every CSV file Herald writes neutralises such a
 * text cell with a leading `'` (OWASP's advice), so opening it runs nothing;
 * numbers are written as numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR
 * or LF (or starts or ends with a space, which spreadsheets would trim), with
 * quotes doubled. No formula neutralising: for a record kept as data (an
 * audience's refused row, re-uploadable as it was), not for a file a person opens.
 */
export function quoteCsvField(value: CsvCell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One field of a CSV file Herald writes: formula text neutralised, then quoted as RFC 4180 asks. */
export function csvField(value: CsvCell): string {
  return typeof value === 'string' && FORMULA_START.test(value) ? quoteCsvField(`'${value}`) : quoteCsvField(value);
}

/** A header row and the rows, CRLF-terminated as RFC 4180 asks. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
