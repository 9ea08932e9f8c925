import { ApiError, NETWORK_ERROR } from './api';

interface FieldProblem {
  field: string;
  reason: string;
}

function fieldsOf(details: unknown): FieldProblem[] {
  const fields = (details as { fields?: unknown } | undefined)?.fields;
  return Array.isArray(fields) ? (fields as FieldProblem[]) : [];
}

/**
 * The API's error codes as sentences for a person: what happened and what to
 * do. Codes without an entry show the API's own message, which is already a
 * sentence naming the field.
 */
const SENTENCES: Record<string, (error: ApiError) => string> = {
  [NETWORK_ERROR]: () => 'Herald did not answer. Check that the API is running and reachable, then try again.',
  UNAUTHENTICATED: () => 'That API key is not valid: it may be mistyped, cut short or revoked. Your session may also have ended; sign in again.',
  FORBIDDEN: (e) => `Your API key may not do this (${e.message.replace('this API key lacks', 'it lacks')}). Ask an admin for a key with that scope.`,
  CSRF_TOKEN_INVALID: () => 'This page lost its security token. Reload the page and try again.',
  RATE_LIMITED: (e) => `Too many requests from this key. Try again in ${(e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 'a few'} seconds.`,
  INVALID_REQUEST: (e) => {
    const fields = fieldsOf(e.details);
    return fields.length > 0 ? `Please check: ${fields.map((f) => `${f.field} ${f.reason}`).join('; ')}.` : e.message;
  },
  INVALID_JSON: () => 'The console sent something Herald could not read. Reload the page and try again.',
  DATABASE_UNAVAILABLE: () => 'Herald cannot reach its database (Postgres). Nothing was changed. Try again once it is back.',
  TEMPORAL_UNAVAILABLE: () => 'Herald cannot reach Temporal right now. Try again in a moment.',
  WORKFLOW_NOT_ANSWERING: () => "The send's workflow did not answer in time: is a worker running? Try again in a moment.",
  INTERNAL: () => 'Herald failed unexpectedly; the error is in the API logs. Try again, and report it if it repeats.',
  TEMPLATE_CODE_TAKEN: () => 'A template with this code exists already. Choose another code.',
  ACCOUNT_NAME_TAKEN: () => 'An account with this name exists already. Choose another name.',
  INVALID_BILL: (e) => {
    const rows = ((e.details as { rows?: Array<{ line: number; field: string; reason: string }> } | undefined)?.rows ?? []).slice(0, 3);
    return `The bill has rows Herald cannot read, so nothing was compared. ${rows.map((r) => `Line ${r.line}, ${r.field}: ${r.reason}.`).join(' ')}`;
  },
  BILL_TOO_LARGE: (e) => `The bill is larger than this Herald accepts (${e.message}). Split it by day or ask to raise BILL_MAX_BYTES.`,
  UNSUPPORTED_MEDIA_TYPE: () => 'The file must be a CSV (text/csv).',
  EMPTY_FILE: () => 'The file is empty: it needs a header line with a receiver column.',
  INVALID_HEADER: (e) => `The header line is not usable: ${e.message}`,
  NO_ROWS: () => 'The file has a header but no rows.',
  INVALID_CSV: (e) => `The CSV breaks at line ${(e.details as { line?: number } | undefined)?.line ?? '?'}: ${e.message}`,
  AUDIENCE_TOO_LARGE: (e) => `The audience is too large: ${e.message}`,
  UPLOAD_BROKE_OFF: () => 'The upload broke off before the end of the file. The audience is marked FAILED; upload it again.',
  AUDIENCE_NOT_READY: () => 'That audience is still uploading or its upload failed. Pick a READY audience.',
  AUDIENCE_IN_USE: () => 'A campaign was made with this audience, so it stays with the campaign’s runs.',
  CHANNEL_MISMATCH: () => 'The audience is for another channel than the template.',
  MISSING_COLUMNS: (e) => `The audience lacks columns the template needs: ${e.message}`,
  INVALID_SCHEDULE: (e) => `The schedule is not usable: ${e.message}`,
  TEMPLATE_NOT_APPROVED: () => 'The template is waiting for approval; approve it first.',
  TEMPLATE_DISABLED: () => 'The template is disabled.',
  CAMPAIGN_DELETED: () => 'The campaign is deleted; its runs stay for the record.',
};

export function sentenceFor(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const sentence = SENTENCES[error.code];
  if (sentence) return sentence(error);
  if (error.code.endsWith('_NOT_FOUND')) return `Not found: ${error.message}.`;
  return error.message;
}
