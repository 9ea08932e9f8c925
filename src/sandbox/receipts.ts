/**
 * Receipts of the sandbox vendor: produced receiptDelayMs after an accepted
 * send, kept for the pull API, pushed to the callback URL.
 */
import { maskReceiver } from '../shared/mask';
import type { Fault } from './faults';
import { pushReceipts } from './receipt-push';

export interface SandboxReceipt {
  messageId: string;
  to: string;
  /** The sender's reference given with the send. */
  clientRef: string;
  status: 'DELIVRD' | 'UNDELIV';
  errCode: string;
  errMsg: string;
  /** ISO time. */
  doneTime: string;
}

type Outcome = Pick<SandboxReceipt, 'status' | 'errCode' | 'errMsg'>;

/** Receivers whose number ends like this get an UNDELIV receipt without any fault configured. */
const MAGIC_SUFFIXES: ReadonlyArray<[suffix: string, outcome: Outcome]> = [
  ['0000', { status: 'UNDELIV', errCode: 'MK:0005', errMsg: 'carrier blocked' }],
  ['0001', { status: 'UNDELIV', errCode: 'MK:0001', errMsg: 'powered off' }],
  ['0115', { status: 'UNDELIV', errCode: 'DB:0115', errMsg: 'receiver unsubscribed' }],
];
const DELIVERED: Outcome = { status: 'DELIVRD', errCode: 'DELIVRD', errMsg: 'delivered' };

function outcomeFor(to: string): Outcome {
  return MAGIC_SUFFIXES.find(([suffix]) => to.endsWith(suffix))?.[1] ?? DELIVERED;
}

export interface ReceiptLogger {
  info(obj: object, msg?: string): void;
}

export interface ReceiptScheduler {
  /**
   * Plans the receipt of one accepted send, as `fault` says. Resolves at once,
   * except for 'receipt_before_answer': then after the push is done.
   */
  schedule(send: { messageId: string; to: string; clientRef: string }, fault: Fault | null): Promise<void>;
  /** The receipts produced so far among `messageIds`. */
  find(messageIds: readonly string[]): SandboxReceipt[];
  /** Drops pending receipts and stops pushes in flight. */
  close(): void;
}

export function createReceiptScheduler(options: {
  delayMs: number;
  callbackUrl: string | null;
  logger: ReceiptLogger;
}): ReceiptScheduler {
  const produced = new Map<string, SandboxReceipt>();
  const timers = new Set<NodeJS.Timeout>();
  const closing = new AbortController();

  async function produce(send: { messageId: string; to: string; clientRef: string }, push: boolean): Promise<void> {
    const receipt: SandboxReceipt = { ...send, ...outcomeFor(send.to), doneTime: new Date().toISOString() };
    produced.set(receipt.messageId, receipt);
    if (!push || options.callbackUrl === null) return;
    const pushed = await pushReceipts(options.callbackUrl, [receipt], closing.signal);
    if (!pushed) {
      options.logger.info(
        { messageId: receipt.messageId, to: maskReceiver(receipt.to) },
        'receipt push failed; it stays pullable',
      );
    }
  }

  function later(delayMs: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run();
    }, delayMs);
    timers.add(timer);
  }

  return {
    async schedule(send, fault) {
      if (fault?.kind === 'no_receipt') return;
      if (fault?.kind === 'receipt_before_answer') {
        await produce(send, true);
        return;
      }
      const delayMs = options.delayMs * (fault?.kind === 'slow_receipt' ? fault.factor : 1);
      later(delayMs, () => produce(send, fault?.kind !== 'lost_receipt'));
    },
    find: (messageIds) => messageIds.flatMap((id) => produced.get(id) ?? []),
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      closing.abort();
    },
  };
}
