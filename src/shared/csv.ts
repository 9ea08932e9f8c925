/** A CSV cell: text, a number, or empty. */
export type CsvCell = string | number | null;

/**
 * One field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR
 * or LF (or starts or ends with a space, which spreadsheets would trim), with
 * quotes doubled.
 */
export function csvField(value: CsvCell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row and the rows, CRLF-terminated as RFC 4180 asks. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
