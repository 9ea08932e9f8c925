import type { BillRowProblem } from './bill-rows';

/** The bill is larger than the configured limit (BILL_MAX_BYTES): the API answers 413. */
export class BillTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the bill is larger than ${maxBytes} bytes (BILL_MAX_BYTES)`);
  }
}

/**
 * The bill has rows Herald cannot read. Nothing is compared: a comparison
 * that skipped rows would report differences that are not there. The API
 * answers 400 with the first problems (line, column, reason) and their count.
 */
export class BillRejected extends Error {
  constructor(
    readonly problems: BillRowProblem[],
    readonly problemCount: number,
  ) {
    super(`the bill has ${problemCount} unreadable row(s); first at line ${problems[0]?.line ?? '?'}: ${problems[0]?.field ?? ''} ${problems[0]?.reason ?? ''}`.trim());
  }
}
