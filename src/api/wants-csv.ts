import type { Request } from 'express';

/** CSV when asked by `?format=csv`, or by `Accept: text/csv` without a `format`. */
export function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}
