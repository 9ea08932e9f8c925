import { condition, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ShieldVerdict } from '../activities/prepare-send';
import type { SendInput, SendOutcome } from '../shared/contract';
import { QUICK_STEP } from './activity-options';
import { sendWithFailover } from './failover';
import { decideShield, type ShieldDecision } from './night-shield';
import { awaitReceipt } from './receipt-wait';
import { orderRoute } from './route-order';
import { startSendRun } from './send-run';
import { sendStepByStep } from './send-step-by-step';

const { prepareSend, startSending } = proxyLocalActivities<Activities>(QUICK_STEP);

/**
 * Sends started before this patch ran one local activity and one search-attribute upsert
 * per step (`sendStepByStep`); from it on, the steps before the vendor call are one local
 * activity and a send shows only the states it waits in.
 */
const PREPARE_SEND_PATCH = 'prepare-send';

/**
 * One send to one receiver, start to final state: scheduled wait →
 * suppression and whitelist → dedup → night shield → vendor send with
 * failover → delivery receipt.
 */
export async function sendMessage(input: SendInput): Promise<SendOutcome> {
  const send = startSendRun(input);
  const { waiting } = send;

  // A scheduled send waits on a durable timer until its time; cancellable meanwhile.
  if (input.sendAt) {
    if (!(await send.moveTo('SCHEDULED'))) return send.finish('CANCELED', 'CANCELED');
    const untilStart = new Date(input.sendAt).getTime() - Date.now();
    if (untilStart > 0) await condition(() => waiting.canceledBy !== null, untilStart);
    if (waiting.canceledBy !== null) return send.finish('CANCELED', 'CANCELED', { reasonDetail: `canceled by ${waiting.canceledBy} before its scheduled time` });
  }

  if (!patched(PREPARE_SEND_PATCH)) return sendStepByStep(send);

  // One local activity: record QUEUED → suppression and whitelist → dedup → the night
  // shield's verdict (decided here, on the workflow's clock): DEFERRED recorded, or SENDING
  // recorded and the route planned.
  send.progress.status = 'QUEUED';
  const shield = decideShield(new Date(), input.shield, input.messageType);
  const prepared = await prepareSend({
    sendId: input.sendId,
    receiver: input.receiver,
    channel: input.channel,
    teamId: input.teamId,
    bypassTeamSuppression: input.bypassTeamSuppression,
    templateId: input.templateId,
    contentHash: input.contentHash,
    rule: input.dedup,
    timeZone: input.shield.timeZone,
    shield: shieldVerdict(shield),
  });
  // Canceled through the API before its workflow started: nothing to send.
  if (prepared.outcome === 'CANCELED') return send.finish('CANCELED', 'CANCELED');
  if (prepared.outcome === 'SCREENED_OUT') return send.finish(prepared.screen.outcome, prepared.screen.reason, { reasonDetail: prepared.screen.detail });
  if (prepared.outcome === 'DEDUPED') return send.finish('DEDUPED', prepared.dedup.reason, { collidedWithSendId: prepared.dedup.collidedWithSendId });
  if (prepared.outcome === 'SHIELDED') return send.finish('SHIELDED', 'NIGHT_SHIELD');

  let route = prepared.outcome === 'SENDING' ? prepared.route : null;
  if (shield.action === 'DEFER') {
    // Quiet hours: a durable timer until they end, cut short by send-now or a cancel.
    send.show('DEFERRED', shield.until);
    await condition(() => waiting.releasedEarly || waiting.canceledBy !== null, shield.until.getTime() - Date.now());
  }
  if (waiting.canceledBy !== null) return send.finish('CANCELED', 'CANCELED', { reasonDetail: `canceled by ${waiting.canceledBy}` });
  route ??= await startSending({ sendId: input.sendId, channel: input.channel });

  send.show('SENDING');
  const delivery = await sendWithFailover(input.sendId, input.channel, orderRoute(route, Math.random));
  if (!delivery.ok) return send.failed(delivery);

  const { sent } = delivery;
  send.acceptedBy(sent);
  // SENT is shown only when the send waits for its receipt; one that came with the vendor's
  // answer (or was pushed meanwhile) goes straight to the final state, vendor included.
  if (!(send.pushedReceipt() ?? sent.receipt)) send.show('SENT');
  const receipt = await awaitReceipt(
    () => send.pushedReceipt() ?? sent.receipt,
    { sendId: input.sendId, channel: input.channel, accountId: sent.accountId, provider: sent.provider, vendorMessageId: sent.vendorMessageId },
    input.receipt,
  );
  return send.received(receipt);
}

function shieldVerdict(shield: ShieldDecision): ShieldVerdict {
  return shield.action === 'DEFER' ? { action: 'DEFER', until: shield.until.toISOString() } : shield;
}
