import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { addSuppression } from '../screening/suppression-list';
import type { ReceiptNotice } from '../shared/contract';
import type { Channel, Reason, ReceiptStatus } from '../shared/states';
import { batchMemberId, batchMemberParts } from '../vendors/batch-member';
import type { VendorReceipt } from '../vendors/types';
import { vendorExcerpt } from '../vendors/vendor-text';
import { referenceParts } from '../shared/vendor-reference';

export interface StoredReceipt {
  sendId: string | null;
  /** The run whose acceptance the receipt reports (null: unmatched, or written before runs were tracked). */
  runId: string | null;
  notice: ReceiptNotice;
  /** First stored now (false: a duplicate of a receipt already stored), so it is counted once (routing health). */
  fresh: boolean;
}

/** PUSH and POLL come from the vendor's receipt channel; SEND is the vendor's answer to the send itself (`finalReceipt`). */
export type ReceiptSource = 'PUSH' | 'POLL' | 'SEND';

/** The vendor account a receipt came through: its tokened push URL or its pull API. */
export interface ReceiptAccount {
  id: string;
  provider: string;
}

/** A send and the run of its workflow whose acceptance a receipt reports (null: written before runs were tracked). */
interface MatchedSend {
  id: string;
  runId: string | null;
}

/**
 * Stores receipts before anything else happens to them. A receipt only ever
 * matches sends of the account it came through, so a push to one account's
 * URL cannot touch another account's sends. A receipt that arrives before its
 * send has a vendor message id is kept unmatched (send_id null) and claimed
 * later by `receiptForSend`. Duplicates are ignored. A receipt saying the
 * receiver unsubscribed puts the receiver on its send's team suppression list.
 * A receipt for an earlier run's acceptance (a reset or retry sent again) is
 * stored under that run; the send's workflow waits only for its own run's.
 */
export async function storeReceipts(
  prisma: PrismaClient,
  account: ReceiptAccount,
  receipts: VendorReceipt[],
  source: ReceiptSource,
): Promise<StoredReceipt[]> {
  const { provider } = account;
  const stored: StoredReceipt[] = [];
  for (const pushed of receipts) {
    const { receipt, send } = await matchSend(prisma, account, pushed);
    const fresh = await insertOnce(prisma, {
      provider,
      accountId: account.id,
      vendorMessageId: receipt.vendorMessageId,
      receiver: receipt.receiver,
      sendId: send?.id ?? null,
      status: receipt.status,
      reason: receipt.reason,
      vendorCode: receipt.vendorCode,
      vendorText: receipt.vendorText === null ? null : vendorExcerpt(receipt.vendorText),
      deliveredAt: receipt.deliveredAt,
      source,
      runId: send?.runId ?? null,
      reference: pushed.reference ?? null,
    });
    if (!fresh && send) {
      await prisma.receipt.updateMany({ where: { provider, accountId: account.id, vendorMessageId: receipt.vendorMessageId, status: receipt.status }, data: { sendId: send.id, runId: send.runId } });
    }
    const matched = send ?? (await claimForLateSend(prisma, account, pushed, receipt));
    if (matched && receipt.reason === 'UNSUBSCRIBED') await suppressUnsubscribed(prisma, matched.id, receipt.vendorCode);
    stored.push({ sendId: matched?.id ?? null, runId: matched?.runId ?? null, notice: toNotice(receipt), fresh });
  }
  return stored;
}

/** The receipts of a store call that were new: what routing health counts. */
export function freshNotices(stored: readonly StoredReceipt[]): ReceiptNotice[] {
  return stored.filter((receipt) => receipt.fresh).map((receipt) => receipt.notice);
}

/** Inserts a receipt row; false when the same receipt (provider, account, vendor id, status) is stored already. */
async function insertOnce(prisma: PrismaClient, data: Prisma.ReceiptUncheckedCreateInput): Promise<boolean> {
  try {
    await prisma.receipt.create({ data });
    return true;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return false;
    throw error;
  }
}

/**
 * A receipt stored unmatched whose send got its vendor id meanwhile: the vendor activity
 * committed the id after our first lookup and may have looked for this receipt before it
 * was inserted, so nobody would pick it up until the workflow's first poll (30 s by default).
 * Claimed here only if nobody claimed it meanwhile (the activity claims what it finds and
 * hands it to the workflow itself), so such a receipt is not also signalled.
 */
async function claimForLateSend(
  prisma: PrismaClient,
  account: ReceiptAccount,
  pushed: VendorReceipt,
  stored: VendorReceipt,
): Promise<MatchedSend | null> {
  const { send } = await matchSend(prisma, account, pushed);
  if (!send) return null;
  const { count } = await prisma.receipt.updateMany({
    where: { provider: account.provider, accountId: account.id, vendorMessageId: stored.vendorMessageId, status: stored.status, sendId: null },
    data: { sendId: send.id, runId: send.runId },
  });
  return count > 0 ? send : null;
}

/**
 * The send a receipt is for: the one with its vendor message id, else (a
 * receipt of a batch call names the batch id and the receiver) the batch
 * member's send, whose id the receipt then takes.
 */
async function matchSend(
  prisma: PrismaClient,
  account: ReceiptAccount,
  receipt: VendorReceipt,
): Promise<{ receipt: VendorReceipt; send: MatchedSend | null }> {
  const where = { provider: account.provider, accountId: account.id };
  const send = await acceptanceOf(prisma, where, receipt.vendorMessageId);
  if (send || receipt.receiver === null) return { receipt, send };
  const memberId = batchMemberId(receipt.vendorMessageId, receipt.receiver);
  const member = await acceptanceOf(prisma, where, memberId);
  if (member) return { receipt: { ...receipt, vendorMessageId: memberId }, send: member };
  const confirmed = await confirmByReference(prisma, account, receipt);
  if (confirmed) return confirmed;
  // Before its send is recorded: kept under the vendor's id, unless another receiver's receipt holds that
  // row already (one id for a whole batch), then under the member id; receiptForSend finds either.
  const taken = await prisma.receipt.findFirst({
    where: { ...where, vendorMessageId: receipt.vendorMessageId, status: receipt.status, NOT: { receiver: receipt.receiver } },
    select: { id: true },
  });
  return { receipt: taken ? { ...receipt, vendorMessageId: memberId } : receipt, send: null };
}

const CONFIRMED_BY_RECEIPT = "accepted: confirmed by a receipt carrying Herald's reference";

/**
 * A receipt for a call whose answer never came (an AMBIGUOUS attempt), found by Herald's reference
 * in the receipt: the vendor took it after all. The attempt becomes ACCEPTED with the receipt's
 * vendor message id (so billing counts it, and a send still verifying it finds it), and the receipt
 * belongs to that attempt's send and run. The send's own acceptance is not touched: a send that went
 * on to another vendor keeps that vendor (the receiver then got two messages, both on record).
 */
async function confirmByReference(prisma: PrismaClient, account: ReceiptAccount, receipt: VendorReceipt): Promise<{ receipt: VendorReceipt; send: MatchedSend } | null> {
  const reference = receipt.reference ?? '';
  const parts = referenceParts(reference);
  if (!parts) return null;
  const attempt = await prisma.sendAttempt.findFirst({
    where: {
      sendId: parts.sendId, accountId: account.id, errorClass: 'AMBIGUOUS',
      OR: [{ outcome: 'AMBIGUOUS' }, { vendorMessageId: receipt.vendorMessageId }, { vendorMessageId: reference }],
    },
    orderBy: { startedAt: 'desc' },
    select: { id: true, runId: true, outcome: true, vendorMessageId: true },
  });
  if (!attempt) return null;
  const send = { id: parts.sendId, runId: attempt.runId };
  // Found by the vendor's status query without its message id (Aliyun's details name no BizId): known by the reference.
  if (attempt.vendorMessageId === reference) return { receipt: { ...receipt, vendorMessageId: reference }, send };
  if (attempt.outcome === 'AMBIGUOUS') {
    await prisma.sendAttempt.updateMany({
      where: { id: attempt.id, outcome: 'AMBIGUOUS' },
      data: { outcome: 'ACCEPTED', vendorMessageId: receipt.vendorMessageId, vendorCode: 'OK', vendorText: CONFIRMED_BY_RECEIPT },
    });
  }
  return { receipt, send };
}

/**
 * An AMBIGUOUS attempt just recorded: a receipt carrying its reference that came before the attempt
 * row (stored unmatched) confirms it now, as `confirmByReference` does for one that comes after.
 */
export async function confirmStoredByReference(
  prisma: PrismaClient,
  account: ReceiptAccount,
  attempt: { id: string; sendId: string; runId: string },
  reference: string,
): Promise<boolean> {
  const stored = await prisma.receipt.findFirst({ where: { provider: account.provider, accountId: account.id, reference, sendId: null }, orderBy: { receivedAt: 'asc' } });
  if (!stored) return false;
  await prisma.$transaction([
    prisma.sendAttempt.updateMany({
      where: { id: attempt.id, outcome: 'AMBIGUOUS' },
      data: { outcome: 'ACCEPTED', vendorMessageId: stored.vendorMessageId, vendorCode: 'OK', vendorText: CONFIRMED_BY_RECEIPT },
    }),
    prisma.receipt.updateMany({ where: { id: stored.id, sendId: null }, data: { sendId: attempt.sendId, runId: attempt.runId } }),
  ]);
  return true;
}

/**
 * The send whose acceptance had this vendor message id, with the run that holds it: the newest
 * run's newest leg is on the send row, an earlier run's (replaced by a reset or retry) in send_run,
 * and a leg that was re-routed after its failed receipt in its ACCEPTED attempt.
 */
async function acceptanceOf(prisma: PrismaClient, where: { provider: string; accountId: string }, vendorMessageId: string): Promise<MatchedSend | null> {
  // One round trip for the three places, in that order (a receipt that comes before its send is recorded missed all three, one by one).
  const [found] = await prisma.$queryRaw<MatchedSend[]>`
    SELECT id, "runId" FROM (
      SELECT 1 AS place, id, run_id AS "runId" FROM send
      WHERE provider = ${where.provider} AND account_id = ${where.accountId}::uuid AND vendor_message_id = ${vendorMessageId}
      UNION ALL
      SELECT 2, send_id, run_id FROM send_run
      WHERE provider = ${where.provider} AND account_id = ${where.accountId}::uuid AND vendor_message_id = ${vendorMessageId}
      UNION ALL
      SELECT 3, send_id, run_id FROM send_attempt
      WHERE provider = ${where.provider} AND account_id = ${where.accountId}::uuid AND vendor_message_id = ${vendorMessageId} AND outcome = 'ACCEPTED'
    ) acceptances
    ORDER BY place
    LIMIT 1`;
  return found ?? null;
}

/**
 * The receipt of a sent send, from our own table: pushed, polled, or stored
 * before the send was matched; only receipts that came through the send's account.
 * A receipt stored unmatched is claimed for the send and the run asking.
 */
export async function receiptForSend(
  prisma: PrismaClient,
  send: { id: string; runId: string },
  account: ReceiptAccount,
  vendorMessageId: string,
): Promise<ReceiptNotice | null> {
  const sendId = send.id;
  const member = batchMemberParts(vendorMessageId);
  // A batch member's receipt may have come before its send was recorded, under the batch id and its receiver.
  const where = member
    ? { provider: account.provider, accountId: account.id, OR: [{ vendorMessageId }, { vendorMessageId: member.batchId, receiver: member.receiver }] }
    : { provider: account.provider, accountId: account.id, vendorMessageId };
  const row = await prisma.receipt.findFirst({ where, orderBy: { receivedAt: 'asc' } });
  if (!row) return null;
  if (row.sendId === null) {
    await prisma.receipt.updateMany({ where: { ...where, sendId: null }, data: { sendId, runId: send.runId } });
    if (row.reason === 'UNSUBSCRIBED') await suppressUnsubscribed(prisma, sendId, row.vendorCode);
  }
  return {
    vendorMessageId,
    status: row.status as ReceiptStatus,
    reason: row.reason as Reason | null,
    vendorCode: row.vendorCode,
    vendorText: row.vendorText,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}

/**
 * The receiver told the vendor (of this team's messages) to stop, said by a
 * receipt or by the vendor refusing the send: the next send of the team to
 * them ends SUPPRESSED. Team-level, because the opt-out answered that team's
 * sender; an admin may add a global entry.
 */
export async function suppressUnsubscribed(
  prisma: PrismaClient,
  sendId: string,
  vendorCode: string | null,
  said: { by: 'receipt' } | { by: 'refusal'; provider: string } = { by: 'receipt' },
): Promise<void> {
  const send = await prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { receiver: true, channel: true, provider: true, message: { select: { teamId: true } } } });
  await addSuppression(prisma, {
    scope: { teamId: send.message.teamId },
    channel: send.channel as Channel,
    receiver: send.receiver,
    reason: 'UNSUBSCRIBED',
    source: 'RECEIPT',
    detail: `${said.by === 'refusal' ? said.provider : (send.provider ?? 'vendor')} ${said.by}${vendorCode ? ` ${vendorCode}` : ''} of send ${sendId}`,
    createdBy: sendId,
  });
}

/**
 * A receiver told the account's number to stop (an inbound STOP): every team
 * that sent to them through this account gets them on its suppression list,
 * as if the receipt of its last send had said UNSUBSCRIBED.
 */
export async function suppressOptOut(prisma: PrismaClient, account: ReceiptAccount & { name: string; channel: string }, receiver: string): Promise<void> {
  const teams = await prisma.message.findMany({
    where: { sends: { some: { accountId: account.id, receiver } } },
    select: { teamId: true },
    distinct: ['teamId'],
  });
  for (const { teamId } of teams) {
    await addSuppression(prisma, {
      scope: { teamId }, channel: account.channel as Channel, receiver, reason: 'UNSUBSCRIBED', source: 'RECEIPT',
      detail: `${account.provider} opt-out: the receiver told account ${account.name} to stop`, createdBy: account.id,
    });
  }
}

function toNotice(receipt: VendorReceipt): ReceiptNotice {
  return {
    vendorMessageId: receipt.vendorMessageId,
    status: receipt.status,
    reason: receipt.reason,
    vendorCode: receipt.vendorCode,
    vendorText: receipt.vendorText,
    deliveredAt: receipt.deliveredAt?.toISOString() ?? null,
  };
}
