/** Aligned columns for a terminal: a header row, a rule, then the rows. Long cells are cut to `maxWidth`. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>, maxWidth = 80): string {
  const cells = rows.map((row) => headers.map((_h, i) => cut(String(row[i] ?? '-').replace(/\s+/g, ' '), maxWidth)));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function cut(text: string, maxWidth: number): string {
  return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
}
