/**
 * Fault injection of the sandbox vendor: which answer the next send calls get
 * and what happens to their receipts.
 */

/** Faults that replace the answer to a send call. */
export const SEND_FAULT_KINDS = [
  '5xx', 'timeout', '429', 'auth', 'invalid_number', 'balance', 'template', 'blacklisted', 'unsubscribed',
] as const;
/**
 * Faults that let the send succeed and change what happens to its answer or receipt.
 * 'slow_answer' accepts the send at once and answers only after timeoutMs: the
 * caller may die or time out although the message is already on its way.
 * 'cut_after_accept' accepts the send and closes the connection without an answer.
 */
export const RECEIPT_FAULT_KINDS = ['lost_receipt', 'no_receipt', 'slow_receipt', 'receipt_before_answer', 'slow_answer', 'cut_after_accept'] as const;
export const FAULT_KINDS = [...SEND_FAULT_KINDS, ...RECEIPT_FAULT_KINDS] as const;

export type SendFaultKind = (typeof SEND_FAULT_KINDS)[number];
export type ReceiptFaultKind = (typeof RECEIPT_FAULT_KINDS)[number];
export type FaultKind = SendFaultKind | ReceiptFaultKind;

export interface FaultOptions {
  /** 'timeout': how long the request is held without an answer ('slow_answer': before the answer). Default 30 s. */
  timeoutMs?: number;
  /** 'slow_receipt': the receipt comes after receiptDelayMs × factor. Default 10. */
  factor?: number;
}

/** One fault with its options resolved. */
export interface Fault {
  kind: FaultKind;
  timeoutMs: number;
  factor: number;
}

export interface FaultControl {
  /** Queue `kind` for the next `count` send calls (after any already queued). */
  inject(kind: FaultKind, count?: number, options?: FaultOptions): void;
  /** Apply `kind` to every send call that has no queued fault, until clear(). */
  always(kind: FaultKind, options?: FaultOptions): void;
  /** Drop the queue and the standing fault. */
  clear(): void;
  /** The queued faults, in order, and the standing one. */
  state(): { queued: Fault[]; always: Fault | null };
}

/** The vendor's side of the control: take the fault for one send call. */
export interface FaultSource extends FaultControl {
  /** The fault for the next send call: the first queued one, else the standing one. */
  next(): Fault | null;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_SLOW_FACTOR = 10;

function resolve(kind: FaultKind, options: FaultOptions = {}): Fault {
  return { kind, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, factor: options.factor ?? DEFAULT_SLOW_FACTOR };
}

export function createFaultControl(): FaultSource {
  let queued: Fault[] = [];
  let standing: Fault | null = null;
  return {
    inject(kind, count = 1, options) {
      for (let i = 0; i < count; i += 1) queued.push(resolve(kind, options));
    },
    always(kind, options) {
      standing = resolve(kind, options);
    },
    clear() {
      queued = [];
      standing = null;
    },
    state: () => ({ queued: [...queued], always: standing }),
    next: () => queued.shift() ?? standing,
  };
}
