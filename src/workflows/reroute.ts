import { workflowInfo } from '@temporalio/workflow';
import type { VendorSendResult } from '../activities/vendor-send';
import type { ReceiptNotice } from '../shared/contract';
import { mayBeRerouted } from '../shared/receipt-outcome';
import { sendWithFailover } from './failover';
import { awaitReceipt } from './receipt-wait';
import type { RouteCandidate } from './route-order';
import type { SendRun } from './send-run';
import { STEP, type RecordedWith } from './step-summaries';

/** The receipt that decides a send, and the re-routes it took on the way (`re-routed after tencent receipt MK:0002`). */
export interface DecidingReceipt {
  receipt: ReceiptNotice | null;
  reroutes: string[];
  /** Where this run's final state was recorded already: by the vendor step (the receipt came with the acceptance) or where the push was stored; null: not yet. */
  recordedWith: RecordedWith | null;
}

/**
 * The receipt of the send's acceptance; while it failed in a way another vendor may fix
 * (REROUTABLE_REASONS) and the template allows more (`reroutesMax`), the message goes again through
 * the next account of the route (failing over from there as usual), all within one receipt window
 * counted from the first acceptance. Each re-route is a leg of the same send: the same send id, its
 * own vendor reference (`<sendId>.r1`), its attempts and receipts kept beside the first leg's. A
 * re-route that no account accepts leaves the failed receipt as the outcome. Null: no receipt.
 */
export async function receiptWithReroutes(send: SendRun, route: readonly RouteCandidate[], first: VendorSendResult): Promise<DecidingReceipt> {
  const { input } = send;
  const deadline = Date.now() + input.receipt.windowSeconds * 1000;
  const reroutes: string[] = [];
  let sent = first;
  for (let leg = 1; ; leg += 1) {
    // A receipt the vendor step recorded decides the send (it records none another vendor may fix).
    if (sent.finalRecordedBy === workflowInfo().runId) return { receipt: sent.receipt, reroutes, recordedWith: 'ACCEPTANCE' };
    const receipt = await receiptOf(send, sent, deadline);
    const next = accountsAfter(route, sent.accountId);
    const [nextAccount] = next;
    if (!receipt || !mayBeRerouted(receipt) || leg > input.reroutesMax || !nextAccount || Date.now() >= deadline) {
      // Recorded where the push was stored: the final state as this run decides it, unless re-routes add their detail.
      return { receipt, reroutes, recordedWith: receipt?.recordedBy === workflowInfo().runId && reroutes.length === 0 ? 'PUSH' : null };
    }
    reroutes.push(`re-routed after ${sent.provider} receipt ${receipt.vendorCode ?? 'UNKNOWN'}`);
    send.step(STEP.reroute(leg, sent.provider, receipt.vendorCode, nextAccount.account));
    send.enter('SENDING');
    const delivery = await sendWithFailover({ sendId: input.sendId, channel: input.channel, leg: leg + 1 }, next, input.ambiguity, send.step);
    if (!delivery.ok) return { receipt, reroutes: [...reroutes.slice(0, -1), `${reroutes.at(-1)}: no other account took it`], recordedWith: null };
    send.acceptedBy(delivery.sent);
    sent = delivery.sent;
  }
}

/** This acceptance's receipt: one that came with the vendor's answer or was pushed meanwhile, else waited for (SENT meanwhile). */
async function receiptOf(send: SendRun, sent: VendorSendResult, deadline: number): Promise<ReceiptNotice | null> {
  const early = send.pushedReceipt(sent.vendorMessageId) ?? sent.receipt;
  if (early) return early;
  send.show('SENT');
  const { input } = send;
  return awaitReceipt(
    () => send.pushedReceipt(sent.vendorMessageId),
    { sendId: input.sendId, channel: input.channel, accountId: sent.accountId, provider: sent.provider, vendorMessageId: sent.vendorMessageId },
    input.receipt,
    send.step,
    deadline,
  );
}

/** The accounts of the route after the one that accepted the last leg: the next one, then failover on from it. */
function accountsAfter(route: readonly RouteCandidate[], accountId: string): RouteCandidate[] {
  const index = route.findIndex((candidate) => candidate.accountId === accountId);
  return index < 0 ? [] : route.slice(index + 1);
}
