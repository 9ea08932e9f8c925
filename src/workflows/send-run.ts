import { proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { FinalOutcome } from '../activities/send-records';
import type { VendorSendResult } from '../activities/vendor-send';
import {
  cancelSignal,
  progressQuery,
  receiptSignal,
  searchAttributes,
  sendNowSignal,
  type ReceiptNotice,
  type SendInput,
  type SendOutcome,
  type SendProgress,
} from '../shared/contract';
import type { Reason, SendStatus } from '../shared/states';
import { QUICK_STEP } from './activity-options';
import type { DeliveryResult } from './failover';

const { recordStatus, finishSend } = proxyLocalActivities<Activities>(QUICK_STEP);

export type FinalEvidence = Omit<FinalOutcome, 'sendId' | 'status' | 'reason' | 'channel' | 'provider'>;

/** One send's workflow state, its signal and query handlers, and the ways it shows and records its state. */
export interface SendRun {
  readonly input: SendInput;
  readonly progress: SendProgress;
  /** Set by the cancel signal while the send still waits, and by send-now while it is deferred. */
  readonly waiting: { canceledBy: string | null; releasedEarly: boolean };
  /** The first pushed receipt, once its signal arrived. */
  pushedReceipt(): ReceiptNotice | null;
  /** The state in the query and the search attributes (with the vendor, the first time it is known); no activity. */
  show(status: SendStatus, deferredUntil?: Date | null): void;
  /** `show`, then the send row; false when the send was already final in the database. */
  moveTo(status: SendStatus, deferredUntil?: Date | null): Promise<boolean>;
  /** The vendor that accepted the send, for the query, the search attributes and the outcome. */
  acceptedBy(sent: VendorSendResult): void;
  finish(status: SendStatus, reason: Reason | null, evidence?: FinalEvidence): Promise<SendOutcome>;
  /** The final state the receipt says; EXPIRED / NO_RECEIPT without one. */
  received(receipt: ReceiptNotice | null): Promise<SendOutcome>;
  /** FAILED: no vendor accepted the send; the attempts as the reason's detail. */
  failed(delivery: Extract<DeliveryResult, { ok: false }>): Promise<SendOutcome>;
}

/** Installs the handlers; call first thing in the workflow, before any await. */
export function startSendRun(input: SendInput): SendRun {
  const progress: SendProgress = { status: 'QUEUED', reason: null, deferredUntil: null, provider: null, vendorMessageId: null };
  const waiting = { canceledBy: null as string | null, releasedEarly: false };
  let pushedReceipt: ReceiptNotice | null = null;
  let vendorShown = false;

  setHandler(progressQuery, () => progress);
  setHandler(receiptSignal, (notice) => {
    pushedReceipt ??= notice;
  });
  setHandler(cancelSignal, ({ by }) => {
    if (progress.status === 'SCHEDULED' || progress.status === 'QUEUED' || progress.status === 'DEFERRED') waiting.canceledBy ??= by;
  });
  setHandler(sendNowSignal, () => {
    waiting.releasedEarly = true;
  });

  /** One upsert: the status, the end of the deferral when there is one, and the vendor the first time it is known. */
  function publish(status: SendStatus, deferredUntil: Date | null): void {
    const pairs: SearchAttributeUpdatePair[] = [{ key: searchAttributes.status, value: status }];
    if (deferredUntil) pairs.push({ key: searchAttributes.deferredUntil, value: deferredUntil });
    if (progress.provider && !vendorShown) {
      pairs.push({ key: searchAttributes.vendor, value: progress.provider });
      vendorShown = true;
    }
    upsertSearchAttributes(pairs);
  }

  function show(status: SendStatus, deferredUntil: Date | null = null): void {
    progress.status = status;
    progress.deferredUntil = deferredUntil?.toISOString() ?? null;
    publish(status, deferredUntil);
  }

  async function finish(status: SendStatus, reason: Reason | null, evidence: FinalEvidence = {}): Promise<SendOutcome> {
    progress.status = status;
    progress.reason = reason;
    publish(status, null);
    await finishSend({ sendId: input.sendId, status, reason, channel: input.channel, provider: progress.provider, ...evidence });
    return { status, reason, provider: progress.provider, vendorMessageId: progress.vendorMessageId };
  }

  return {
    input,
    progress,
    waiting,
    pushedReceipt: () => pushedReceipt,
    show,
    async moveTo(status, deferredUntil = null) {
      show(status, deferredUntil);
      return recordStatus({ sendId: input.sendId, status, deferredUntil: deferredUntil?.toISOString() });
    },
    acceptedBy(sent) {
      progress.provider = sent.provider;
      progress.vendorMessageId = sent.vendorMessageId;
    },
    finish,
    received(receipt) {
      if (!receipt) return finish('EXPIRED', 'NO_RECEIPT');
      return finish(receipt.status, receipt.status === 'DELIVERED' ? null : (receipt.reason ?? 'UNKNOWN'), {
        vendorCode: receipt.vendorCode,
        vendorText: receipt.vendorText,
      });
    },
    failed(delivery) {
      const last = delivery.failed.at(-1);
      return finish('FAILED', delivery.reason, {
        reasonDetail: delivery.failed.map((f) => `${f.provider}: ${f.errorClass} ${f.vendorCode}`).join('; ') || 'no enabled account',
        vendorCode: last?.vendorCode ?? null,
        vendorText: last?.vendorText ?? null,
      });
    },
  };
}
