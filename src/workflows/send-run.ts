import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DedupSlot } from '../activities/dedup';
import type { FinalOutcome } from '../activities/send-records';
import type { VendorSendResult } from '../activities/vendor-send';
import {
  cancelUpdate,
  progressQuery,
  receiptSignal,
  searchAttributes,
  sendNowUpdate,
  sendSummary,
  type ReceiptNotice,
  type SendControlAnswer,
  type SendInput,
  type SendOutcome,
  type SendProgress,
} from '../shared/contract';
import { SEND_CONTROL_REFUSED_TYPE, sendFailureMessage, sendFailureType } from '../shared/failures';
import { finalStateOfReceipt } from '../shared/receipt-outcome';
import { RETRYABLE_STATUSES, type Reason, type SendStatus } from '../shared/states';
import { QUICK_STEP } from './activity-options';
import type { DeliveryResult } from './failover';
import type { DecidingReceipt } from './reroute';
import { fallbackFor } from './fallback';
import { STEP, type RecordedWith } from './step-summaries';

const { recordState, recordFinalState } = proxyLocalActivities<Activities>(QUICK_STEP);

/** What a final state may carry besides status and reason. */
export type FinalEvidence = Pick<FinalOutcome, 'reasonDetail' | 'vendorCode' | 'vendorText' | 'collidedWithSendId'>;

/** The states a cancel still stops: nothing has gone to a vendor yet. */
const CANCELABLE: ReadonlySet<SendStatus> = new Set<SendStatus>(['SCHEDULED', 'QUEUED', 'DEFERRED']);

/** Who canceled, when it was the Temporal UI's "Request Cancellation" (or `temporal workflow cancel`). */
export const TEMPORAL_CANCELLATION = 'a Temporal cancellation request';

/** One send's workflow state, its signal, update and query handlers, and the ways it shows and records its state. */
export interface SendRun {
  readonly input: SendInput;
  /** Set by the cancel update while the send still waits, and by send-now while it is deferred. */
  readonly waiting: { canceledBy: string | null; releasedEarly: boolean };
  /** The first pushed receipt of this vendor message, once its signal arrived (another run's receipts are kept apart). */
  pushedReceipt(vendorMessageId: string): ReceiptNotice | null;
  /** The step the send is at, in the words of its summary: the UI's current details. */
  step: (what: string) => void;
  /**
   * QUEUED or SENDING in the query and the details only: the search attribute keeps its value until
   * the next state the send waits in (SENT, DEFERRED) or its final state: one history event and one
   * visibility write less per state.
   */
  enter(status: 'QUEUED' | 'SENDING'): void;
  /** The state in the query, the details and the search attributes (with the vendor, the first time it is known); no activity. */
  show(status: SendStatus, deferredUntil?: Date | null): void;
  /** `show`, then the send row; false when the send was canceled through the API before its workflow started. */
  moveTo(status: SendStatus, deferredUntil?: Date | null): Promise<boolean>;
  /** The dedup slot counted for this send: handed back if the send ends without a vendor's acceptance. */
  holdsDedupSlot(slot: DedupSlot): void;
  /** The vendor that accepted the send, for the query, the search attributes, the records and the outcome. */
  acceptedBy(sent: VendorSendResult): void;
  /** The send goes to the vendors: a template's fallback waits (when it has a time) for a DELIVERED from now on. */
  armFallback(): void;
  /**
   * Records the final state, then ends: a send that no vendor took, that did not reach the receiver, or
   * whose receipt never came (FAILED, UNDELIVERED, EXPIRED) starts its template's fallback, if any
   * (fallback.ts), and fails its workflow with the reason as the type.
   */
  finish(status: SendStatus, reason: Reason | null, evidence?: FinalEvidence): Promise<SendOutcome>;
  /**
   * The final state the receipt says; EXPIRED / NO_RECEIPT without one. The re-routes taken on the way are
   * the reason's detail. One recorded already (by the vendor step, or where the push was stored) is shown and ends the send with no record of its own.
   */
  received(decision: DecidingReceipt): Promise<SendOutcome>;
  /** FAILED: no vendor accepted the send; the attempts as the reason's detail. */
  failed(delivery: Extract<DeliveryResult, { ok: false }>): Promise<SendOutcome>;
}

/**
 * Installs the handlers; call first thing in the workflow, before any await, and run the send
 * itself in a non-cancellable scope: a Temporal cancellation request (the UI's "Request
 * Cancellation") then acts as Herald's cancel, stopping a send that still waits and changing
 * nothing once a vendor has it.
 */
export function startSendRun(input: SendInput): SendRun {
  const progress: SendProgress = { status: 'QUEUED', reason: null, deferredUntil: null, provider: null, vendorMessageId: null };
  const waiting = { canceledBy: null as string | null, releasedEarly: false };
  const pushed = new Map<string, ReceiptNotice>();
  const headline = sendSummary(input);
  let acceptance: VendorSendResult | null = null;
  let dedupSlot: DedupSlot | null = null;
  let vendorShown = false;
  let finalRecorded = false;
  let currentStep = 'accepted';
  const fallback = fallbackFor(input, step);

  function showDetails(): void {
    const vendor = acceptance ? ` via ${acceptance.provider} (vendor message id ${acceptance.vendorMessageId})` : '';
    setCurrentDetails(`**${progress.status}**${progress.reason ? ` ${progress.reason}` : ''}${vendor}: ${currentStep}\n\n${headline}`);
  }

  function controlAnswer(): SendControlAnswer {
    return { status: progress.status, deferredUntil: progress.deferredUntil };
  }

  /** An update that does not apply now: rejected by its validator, so nothing is written to the history. */
  function refuse(what: string): never {
    throw ApplicationFailure.create({ type: SEND_CONTROL_REFUSED_TYPE, message: `${what}: the send is ${progress.status}`, details: [controlAnswer()] });
  }

  setHandler(progressQuery, () => progress);
  setHandler(receiptSignal, (notice) => {
    if (!pushed.has(notice.vendorMessageId)) pushed.set(notice.vendorMessageId, notice);
  });
  setHandler(
    cancelUpdate,
    async ({ by }) => {
      waiting.canceledBy ??= by;
      await condition(() => finalRecorded);
      return controlAnswer();
    },
    { validator: (_request: { by: string }) => (CANCELABLE.has(progress.status) ? undefined : refuse('nothing to cancel')) },
  );
  setHandler(
    sendNowUpdate,
    async ({ by }) => {
      waiting.releasedEarly = true;
      step(`night shield: released early by ${by}`);
      await condition(() => progress.status !== 'DEFERRED');
      return controlAnswer();
    },
    { validator: (_request: { by: string }) => (progress.status === 'DEFERRED' && waiting.canceledBy === null ? undefined : refuse('not deferred')) },
  );
  CancellationScope.current().cancelRequested.catch(() => {
    if (CANCELABLE.has(progress.status)) waiting.canceledBy ??= TEMPORAL_CANCELLATION;
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

  function step(what: string): void {
    currentStep = what;
    showDetails();
  }

  function show(status: SendStatus, deferredUntil: Date | null = null): void {
    progress.status = status;
    progress.deferredUntil = deferredUntil?.toISOString() ?? null;
    publish(status, deferredUntil);
    showDetails();
  }

  /** Shows the final state, records it (unless it was already: `recordedWith`), starts a fallback if one is due, then ends. */
  async function finish(status: SendStatus, reason: Reason | null, evidence: FinalEvidence = {}, recordedWith: RecordedWith | null = null): Promise<SendOutcome> {
    progress.status = status;
    progress.reason = reason;
    publish(status, null);
    if (recordedWith) step(STEP.recordedWith(status, reason, recordedWith));
    else await record(status, reason, evidence);
    finalRecorded = true;
    await fallback.settle(status);
    // A cancel that was accepted answers with this final state before the workflow ends.
    await condition(allHandlersFinished);
    const outcome: SendOutcome = { status, reason, provider: progress.provider, vendorMessageId: progress.vendorMessageId };
    // Did not reach the receiver (FAILED, UNDELIVERED, EXPIRED): a failed workflow, red in the UI, under its status filter.
    if (RETRYABLE_STATUSES.has(status)) {
      throw ApplicationFailure.create({
        type: sendFailureType(reason),
        message: sendFailureMessage(status, reason, evidence.reasonDetail),
        nonRetryable: true,
        details: [outcome],
      });
    }
    return outcome;
  }

  async function record(status: SendStatus, reason: Reason | null, evidence: FinalEvidence): Promise<void> {
    step(evidence.reasonDetail ?? evidence.vendorText ?? 'final state');
    await recordFinalState.executeWithOptions({ summary: STEP.record(status, reason) }, [{
      sendId: input.sendId,
      status,
      reason,
      channel: input.channel,
      provider: progress.provider,
      acceptance: acceptance && { accountId: acceptance.accountId, vendorMessageId: acceptance.vendorMessageId, acceptedAt: acceptance.acceptedAt },
      // A send no vendor took frees its dedup slot: an identical request later is sent, not deduped.
      releaseDedupSlot: acceptance ? null : dedupSlot,
      ...evidence,
    }]);
  }

  return {
    input,
    waiting,
    pushedReceipt: (vendorMessageId) => pushed.get(vendorMessageId) ?? null,
    step,
    enter(status) {
      progress.status = status;
      progress.deferredUntil = null;
      showDetails();
    },
    show,
    async moveTo(status, deferredUntil = null) {
      show(status, deferredUntil);
      return recordState.executeWithOptions({ summary: STEP.record(status) }, [
        { sendId: input.sendId, status, deferredUntil: deferredUntil?.toISOString() },
      ]);
    },
    holdsDedupSlot(slot) {
      dedupSlot = slot;
    },
    acceptedBy(sent) {
      // A re-route's vendor replaces the first one's in the search attributes too.
      if (acceptance && acceptance.provider !== sent.provider) vendorShown = false;
      acceptance = sent;
      progress.provider = sent.provider;
      progress.vendorMessageId = sent.vendorMessageId;
    },
    armFallback: () => fallback.arm(),
    finish,
    received({ receipt, reroutes, recordedWith }) {
      const rerouted = reroutes.length > 0 ? reroutes.join('; ') : null;
      if (!receipt) return finish('EXPIRED', 'NO_RECEIPT', { reasonDetail: [rerouted, `no receipt within ${input.receipt.windowSeconds} s`].filter(Boolean).join('; ') });
      const { status, reason, vendorCode, vendorText } = finalStateOfReceipt(receipt);
      return finish(status, reason, { vendorCode, vendorText, ...(rerouted ? { reasonDetail: rerouted } : {}) }, recordedWith);
    },
    failed(delivery) {
      const last = delivery.failed.at(-1);
      return finish('FAILED', delivery.reason, {
        reasonDetail: delivery.failed.map((f) => `${f.account}: ${f.errorClass} ${f.vendorCode}`).join('; ') || 'no enabled account',
        vendorCode: last?.vendorCode ?? null,
        vendorText: last?.vendorText ?? null,
      });
    },
  };
}
