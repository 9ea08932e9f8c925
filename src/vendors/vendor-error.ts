import type { ErrorClass, Reason } from '../shared/states';
import { vendorExcerpt } from './vendor-text';

/**
 * A vendor's answer that is not a success, classified once by the adapter
 * that received it. Nothing downstream looks at the vendor's text to decide.
 * The text is kept as a bounded, sanitised excerpt (vendor-text.ts).
 */
export class VendorError extends Error {
  override readonly name = 'VendorError';
  readonly vendorText: string;

  constructor(
    readonly errorClass: ErrorClass,
    readonly reason: Reason,
    readonly vendorCode: string,
    vendorText: string,
  ) {
    const excerpt = vendorExcerpt(vendorText);
    super(`${errorClass} ${vendorCode}: ${excerpt}`);
    this.vendorText = excerpt;
  }
}
