import type { ErrorClass, Reason } from '../shared/states';
import { VendorError } from './vendor-error';

/** How one vendor answer is handled: the class decides retry/failover, the reason is what the send records. */
export interface Classification {
  errorClass: ErrorClass;
  reason: Reason;
}

export const RETRYABLE: Classification = { errorClass: 'RETRYABLE', reason: 'UNKNOWN' };
export const REJECTED: Classification = { errorClass: 'VENDOR_REJECTED', reason: 'VENDOR_REJECTED' };
export const INVALID_RECEIVER: Classification = { errorClass: 'RECEIVER_INVALID', reason: 'INVALID_RECEIVER' };

/** Default for an answer without a known code: no answer, 5xx and 429 may pass; any other refusal will not. */
export function classifyHttpStatus(httpStatus: number | null): Classification {
  if (httpStatus === null || httpStatus >= 500 || httpStatus === 429) return RETRYABLE;
  return REJECTED;
}

/** A vendor code looked up in the provider's table, falling back to the HTTP status. */
export function classifiedError(
  table: ReadonlyMap<string, Classification>,
  code: string,
  text: string,
  httpStatus: number | null,
): VendorError {
  const { errorClass, reason } = table.get(code) ?? classifyHttpStatus(httpStatus);
  return new VendorError(errorClass, reason, code, text);
}
