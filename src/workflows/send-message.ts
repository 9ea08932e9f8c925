import { CancellationScope, condition, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ShieldVerdict } from '../activities/prepare-send';
import type { SendInput, SendOutcome } from '../shared/contract';
import { QUICK_STEP } from './activity-options';
import { sendWithFailover } from './failover';
import { decideShield, type ShieldDecision } from './night-shield';
import { receiptWithReroutes } from './reroute';
import { orderRoute } from './route-order';
import { startSendRun, type SendRun } from './send-run';
import { awaitLateAcceptance } from './verify-attempt';
import { STEP } from './step-summaries';

const { screeningDedupNightShield, routeAfterNightShield } = proxyLocalActivities<Activities>(QUICK_STEP);

/**
 * One send to one receiver, start to final state: scheduled wait →
 * screening → dedup → night shield → vendor send with failover → delivery
 * receipt (re-routed to the next account when another vendor may fix its failure). Every step carries its name in the history (step-summaries.ts).
 */
export async function sendMessage(input: SendInput): Promise<SendOutcome> {
  const send = startSendRun(input);
  // A Temporal cancellation request is Herald's cancel (startSendRun), never an abort halfway through a step.
  return CancellationScope.nonCancellable(() => deliver(send));
}

async function deliver(send: SendRun): Promise<SendOutcome> {
  const { input, waiting } = send;
  const zone = input.shield.timeZone;

  // A scheduled send waits on a durable timer until its time; cancellable meanwhile.
  if (input.sendAt) {
    if (!(await send.moveTo('SCHEDULED'))) return send.finish('CANCELED', 'CANCELED', { reasonDetail: 'canceled before its workflow started' });
    const sendAt = new Date(input.sendAt);
    const untilStart = sendAt.getTime() - Date.now();
    if (untilStart > 0) {
      const summary = STEP.scheduledWait(sendAt, zone);
      send.step(summary);
      await condition(() => waiting.canceledBy !== null, untilStart, { summary });
    }
    if (waiting.canceledBy !== null) return send.finish('CANCELED', 'CANCELED', { reasonDetail: `canceled by ${waiting.canceledBy} before its scheduled time` });
  }

  // One local activity: record QUEUED → screening (suppression, whitelist) → dedup → the night
  // shield's verdict (decided here, on the workflow's clock): DEFERRED recorded, or SENDING
  // recorded and the route planned.
  send.enter('QUEUED');
  const shield = decideShield(new Date(), input.shield, input.messageType);
  const preparation = STEP.preparation(shield, zone);
  send.step(preparation);
  const prepared = await screeningDedupNightShield.executeWithOptions({ summary: preparation }, [{
    sendId: input.sendId,
    receiver: input.receiver,
    channel: input.channel,
    teamId: input.teamId,
    bypassTeamSuppression: input.bypassTeamSuppression,
    templateId: input.templateId,
    contentHash: input.contentHash,
    rule: input.dedup,
    timeZone: zone,
    shield: shieldVerdict(shield),
    messageType: input.messageType,
  }]);
  // Canceled through the API before its workflow started: nothing to send.
  if (prepared.outcome === 'CANCELED') return send.finish('CANCELED', 'CANCELED', { reasonDetail: 'canceled before its workflow started' });
  if (prepared.outcome === 'SCREENED_OUT') return send.finish(prepared.screen.outcome, prepared.screen.reason, { reasonDetail: prepared.screen.detail });
  if (prepared.outcome === 'DEDUPED') return send.finish('DEDUPED', prepared.dedup.reason, { collidedWithSendId: prepared.dedup.collidedWithSendId });
  if (prepared.dedup.outcome === 'PASS') send.holdsDedupSlot(prepared.dedup.slot);
  if (prepared.outcome === 'SHIELDED') return send.finish('SHIELDED', 'NIGHT_SHIELD');

  let route = prepared.outcome === 'SENDING' ? prepared.route : null;
  if (shield.action === 'DEFER') {
    // Quiet hours: a durable timer until they end, cut short by send-now or a cancel.
    send.show('DEFERRED', shield.until);
    const summary = STEP.nightShield(shield.until, zone);
    send.step(summary);
    const untilRelease = shield.until.getTime() - Date.now();
    if (untilRelease > 0) await condition(() => waiting.releasedEarly || waiting.canceledBy !== null, untilRelease, { summary });
  }
  if (waiting.canceledBy !== null) return send.finish('CANCELED', 'CANCELED', { reasonDetail: `canceled by ${waiting.canceledBy}` });
  route ??= await routeAfterNightShield.executeWithOptions({ summary: STEP.routeAfterShield }, [
    { sendId: input.sendId, channel: input.channel, destination: { receiver: input.receiver, messageType: input.messageType } },
  ]);

  send.enter('SENDING');
  send.armFallback();
  // A receipt that comes with the acceptance and decides the send is recorded by the vendor step itself.
  const request = { sendId: input.sendId, channel: input.channel, finalOnReceipt: { mayReroute: input.reroutesMax > 0 } };
  const ordered = orderRoute(route, Math.random);
  let delivery = await sendWithFailover(request, ordered, input.ambiguity, send.step);
  // No account took it, but one may have (an ambiguous call it never confirmed): ask again before failing.
  if (!delivery.ok) delivery = await awaitLateAcceptance(delivery, request, input.receipt, send.step);
  if (!delivery.ok) return send.failed(delivery);

  send.acceptedBy(delivery.sent);
  // SENT is shown only when the send waits for its receipt; one that came with the vendor's
  // answer (or was pushed meanwhile) goes straight to the final state, vendor included. A failed
  // receipt another vendor may fix sends it again through the next account (reroute.ts).
  return send.received(await receiptWithReroutes(send, ordered, delivery.sent));
}

function shieldVerdict(shield: ShieldDecision): ShieldVerdict {
  return shield.action === 'DEFER' ? { action: 'DEFER', until: shield.until.toISOString() } : shield;
}
