/**
 * How a vendor's error code is classified: one table per vendor, read in one
 * place, so adding a code the vendor documents is one line.
 */
import type { ErrorClass, Reason } from '../shared/states';
import { VendorError } from './vendor-error';

export interface Classification {
  errorClass: ErrorClass;
  reason: Reason;
}

/** Try the same account again later (Temporal's backoff), then fail over. */
export const RETRYABLE: Classification = { errorClass: 'RETRYABLE', reason: 'UNKNOWN' };
/** This account cannot send it (credentials, balance, template, signature): fail over at once. */
export const REJECTED: Classification = { errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED' };

/** No vendor can deliver to this receiver: stop, with the reason. */
export function receiverInvalid(reason: Reason): Classification {
  return { errorClass: 'RECEIVER_INVALID', reason };
}
export const INVALID_RECEIVER: Classification = receiverInvalid('INVALID_RECEIVER');

export interface VendorCodeTable {
  /** Codes the vendor documents, exactly as it sends them. */
  readonly codes: ReadonlyMap<string, Classification>;
  /** Families of codes by prefix (e.g. `InternalError.`), tried after the exact codes. */
  readonly prefixes: ReadonlyArray<readonly [string, Classification]>;
  /** A code in neither: a new code is more likely a problem of this account than of the receiver. */
  readonly otherwise: Classification;
}

export function classifyCode(table: VendorCodeTable, code: string): Classification {
  const exact = table.codes.get(code);
  if (exact) return exact;
  const family = table.prefixes.find(([prefix]) => code.startsWith(prefix));
  return family ? family[1] : table.otherwise;
}

/** The VendorError for a vendor's code, classified by its table. */
export function vendorCodeError(table: VendorCodeTable, code: string, text: string): VendorError {
  const { errorClass, reason } = classifyCode(table, code);
  return new VendorError(errorClass, reason, code, text);
}

/**
 * Adapter codes for failures that carry no vendor code. Transport failures
 * and 5xx / 429 answers are retryable; a bad account config is this account's problem.
 */
export const ADAPTER_CODES = {
  timeout: 'TIMEOUT',
  connection: 'CONNECTION_ERROR',
  connectionCut: 'CONNECTION_CUT',
  badResponse: 'BAD_RESPONSE',
  configInvalid: 'CONFIG_INVALID',
  templateMissing: 'TEMPLATE_NOT_REGISTERED',
} as const;

/** The classification of an answer without a known code: no answer, 5xx and 429 may pass; any other refusal will not. */
export function classifyHttpStatus(status: number | null): Classification {
  return status === null || status >= 500 || status === 429 ? RETRYABLE : REJECTED;
}

/** A code looked up in a provider's flat table (no families), falling back to the HTTP status. */
export function classifiedError(table: ReadonlyMap<string, Classification>, code: string, text: string, httpStatus: number | null): VendorError {
  const { errorClass, reason } = table.get(code) ?? classifyHttpStatus(httpStatus);
  return new VendorError(errorClass, reason, code, text);
}
