import type { ErrorClass, Reason } from '../shared/states';

/**
 * A vendor's answer that is not a success, classified once by the adapter
 * that received it. Nothing downstream looks at the vendor's text to decide.
 */
export class VendorError extends Error {
  override readonly name = 'VendorError';

  constructor(
    readonly errorClass: ErrorClass,
    readonly reason: Reason,
    readonly vendorCode: string,
    readonly vendorText: string,
  ) {
    super(`${errorClass} ${vendorCode}: ${vendorText}`);
  }
}
