import {
  condition,
  patched,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { FinalOutcome } from '../activities/send-records';
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
import { sendWithFailover } from './failover';
import { decideShield } from './night-shield';
import { awaitReceipt } from './receipt-wait';
import { orderRoute } from './route-order';

const { screenReceiver, checkDedup, planRoute, recordStatus, finishSend } = proxyLocalActivities<Activities>(QUICK_STEP);

/** Histories recorded before the screening step replay without it. */
const SCREENING_PATCH = 'screen-receiver';

/**
 * One send to one receiver, start to final state: scheduled wait →
 * suppression and whitelist → dedup → night shield → vendor send with
 * failover → delivery receipt.
 */
export async function sendMessage(input: SendInput): Promise<SendOutcome> {
  const progress: SendProgress = { status: 'QUEUED', reason: null, deferredUntil: null, provider: null, vendorMessageId: null };
  let pushedReceipt: ReceiptNotice | null = null;
  const waiting = { canceledBy: null as string | null, releasedEarly: false };

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

  /** False when the send was already final in the database. */
  async function moveTo(status: SendStatus, deferredUntil: Date | null = null): Promise<boolean> {
    progress.status = status;
    progress.deferredUntil = deferredUntil?.toISOString() ?? null;
    const pairs: SearchAttributeUpdatePair[] = [{ key: searchAttributes.status, value: status }];
    if (deferredUntil) pairs.push({ key: searchAttributes.deferredUntil, value: deferredUntil });
    upsertSearchAttributes(pairs);
    return recordStatus({ sendId: input.sendId, status, deferredUntil: deferredUntil?.toISOString() });
  }

  async function finish(
    status: SendStatus,
    reason: Reason | null,
    evidence: Omit<FinalOutcome, 'sendId' | 'status' | 'reason' | 'channel' | 'provider'> = {},
  ): Promise<SendOutcome> {
    progress.status = status;
    progress.reason = reason;
    upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
    await finishSend({ sendId: input.sendId, status, reason, channel: input.channel, provider: progress.provider, ...evidence });
    return { status, reason, provider: progress.provider, vendorMessageId: progress.vendorMessageId };
  }

  // A scheduled send waits on a durable timer until its time; cancellable meanwhile.
  if (input.sendAt) {
    if (!(await moveTo('SCHEDULED'))) return finish('CANCELED', 'CANCELED');
    const untilStart = new Date(input.sendAt).getTime() - Date.now();
    if (untilStart > 0) await condition(() => waiting.canceledBy !== null, untilStart);
    if (waiting.canceledBy !== null) return finish('CANCELED', 'CANCELED', { reasonDetail: `canceled by ${waiting.canceledBy} before its scheduled time` });
  }

  // Canceled through the API before its workflow started: nothing to send.
  if (!(await moveTo('QUEUED'))) return finish('CANCELED', 'CANCELED');

  if (patched(SCREENING_PATCH)) {
    const screen = await screenReceiver({
      sendId: input.sendId,
      receiver: input.receiver,
      channel: input.channel,
      teamId: input.teamId,
      bypassTeamSuppression: input.bypassTeamSuppression,
    });
    if (screen.outcome !== 'PASS') return finish(screen.outcome, screen.reason, { reasonDetail: screen.detail });
  }

  const dedup = await checkDedup({
    sendId: input.sendId,
    receiver: input.receiver,
    channel: input.channel,
    templateId: input.templateId,
    contentHash: input.contentHash,
    rule: input.dedup,
    timeZone: input.shield.timeZone,
  });
  if (dedup.outcome === 'FILTERED') {
    return finish('DEDUPED', dedup.reason, { collidedWithSendId: dedup.collidedWithSendId });
  }

  const shield = decideShield(new Date(), input.shield, input.messageType);
  if (shield.action === 'DROP') return finish('SHIELDED', 'NIGHT_SHIELD');
  if (shield.action === 'DEFER') {
    await moveTo('DEFERRED', shield.until);
    await condition(() => waiting.releasedEarly || waiting.canceledBy !== null, shield.until.getTime() - Date.now());
  }
  if (waiting.canceledBy !== null) return finish('CANCELED', 'CANCELED', { reasonDetail: `canceled by ${waiting.canceledBy}` });

  await moveTo('SENDING');
  const route = orderRoute(await planRoute(input.channel), Math.random);
  const delivery = await sendWithFailover(input.sendId, input.channel, route);
  if (!delivery.ok) {
    const last = delivery.failed.at(-1);
    return finish('FAILED', delivery.reason, {
      reasonDetail: delivery.failed.map((f) => `${f.provider}: ${f.errorClass} ${f.vendorCode}`).join('; ') || 'no enabled account',
      vendorCode: last?.vendorCode ?? null,
      vendorText: last?.vendorText ?? null,
    });
  }

  const { sent } = delivery;
  progress.status = 'SENT';
  progress.provider = sent.provider;
  progress.vendorMessageId = sent.vendorMessageId;
  upsertSearchAttributes([
    { key: searchAttributes.status, value: 'SENT' },
    { key: searchAttributes.vendor, value: sent.provider },
  ]);

  const receipt = await awaitReceipt(
    () => pushedReceipt ?? sent.receipt,
    { sendId: input.sendId, channel: input.channel, accountId: sent.accountId, provider: sent.provider, vendorMessageId: sent.vendorMessageId },
    input.receipt,
  );
  if (!receipt) return finish('EXPIRED', 'NO_RECEIPT');
  return finish(receipt.status, receipt.status === 'DELIVERED' ? null : (receipt.reason ?? 'UNKNOWN'), {
    vendorCode: receipt.vendorCode,
    vendorText: receipt.vendorText,
  });
}
