import { condition, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SendOutcome } from '../shared/contract';
import { QUICK_STEP } from './activity-options';
import { sendWithFailover } from './failover';
import { decideShield } from './night-shield';
import { awaitReceipt } from './receipt-wait';
import { orderRoute } from './route-order';
import type { SendRun } from './send-run';

const { screenReceiver, checkDedup, planRoute } = proxyLocalActivities<Activities>(QUICK_STEP);

/** Histories recorded before the screening step replay without it. */
const SCREENING_PATCH = 'screen-receiver';

/**
 * The send path of workflows started before the `prepare-send` patch: one local activity
 * and one search-attribute upsert per step. FROZEN: these sends (still waiting in DEFERRED
 * or for a receipt when the patch was deployed) replay through this code, so its commands
 * must stay exactly as they are; remove it once no such workflow is open.
 */
export async function sendStepByStep(send: SendRun): Promise<SendOutcome> {
  const { input, waiting } = send;

  // Canceled through the API before its workflow started: nothing to send.
  if (!(await send.moveTo('QUEUED'))) return send.finish('CANCELED', 'CANCELED');

  if (patched(SCREENING_PATCH)) {
    const screen = await screenReceiver({
      sendId: input.sendId,
      receiver: input.receiver,
      channel: input.channel,
      teamId: input.teamId,
      bypassTeamSuppression: input.bypassTeamSuppression,
    });
    if (screen.outcome !== 'PASS') return send.finish(screen.outcome, screen.reason, { reasonDetail: screen.detail });
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
    return send.finish('DEDUPED', dedup.reason, { collidedWithSendId: dedup.collidedWithSendId });
  }

  const shield = decideShield(new Date(), input.shield, input.messageType);
  if (shield.action === 'DROP') return send.finish('SHIELDED', 'NIGHT_SHIELD');
  if (shield.action === 'DEFER') {
    await send.moveTo('DEFERRED', shield.until);
    await condition(() => waiting.releasedEarly || waiting.canceledBy !== null, shield.until.getTime() - Date.now());
  }
  if (waiting.canceledBy !== null) return send.finish('CANCELED', 'CANCELED', { reasonDetail: `canceled by ${waiting.canceledBy}` });

  await send.moveTo('SENDING');
  const route = orderRoute(await planRoute(input.channel), Math.random);
  const delivery = await sendWithFailover(input.sendId, input.channel, route);
  if (!delivery.ok) return send.failed(delivery);

  const { sent } = delivery;
  send.acceptedBy(sent);
  send.show('SENT');

  const receipt = await awaitReceipt(
    () => send.pushedReceipt() ?? sent.receipt,
    { sendId: input.sendId, channel: input.channel, accountId: sent.accountId, provider: sent.provider, vendorMessageId: sent.vendorMessageId },
    input.receipt,
  );
  return send.received(receipt);
}
