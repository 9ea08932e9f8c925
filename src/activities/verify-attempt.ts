import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { countReceipts, type Metrics } from '../observability/metrics';
import { receiptForSend, storeReceipts } from '../receipts/receipt-store';
import type { Channel } from '../shared/states';
import { vendorReference } from '../shared/vendor-reference';
import { VendorError } from '../vendors/vendor-error';
import { vendorExcerpt } from '../vendors/vendor-text';
import type { ReferenceLookup, VendorAccepted, VendorRegistry } from '../vendors/types';
import type { AccountDirectory, RoutableAccount } from './account-directory';
import type { CircuitBreaker } from './circuit-breaker';
import type { RunClaims } from './run-claim';
import type { VendorSendResult } from './vendor-send';

/** The ambiguous call to find out about: the send's latest AMBIGUOUS attempt on this account in the calling run. */
export interface VerifyRequest {
  sendId: string;
  channel: Channel;
  accountId: string;
}

/**
 * What Herald found out: the vendor has the message (the send is now SENT through it, as if the
 * call had been answered), the vendor says it has no such message, or it cannot tell yet.
 */
export type VerifyAnswer =
  | { verdict: 'ACCEPTED'; sent: VendorSendResult }
  | { verdict: 'NOT_SENT' }
  | { verdict: 'NOT_YET'; why: string };

interface VerifyDeps {
  prisma: PrismaClient;
  vendors: VendorRegistry;
  accounts: AccountDirectory;
  circuit: CircuitBreaker;
  runs: RunClaims;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Finding out what became of a vendor call whose answer never came (AMBIGUOUS): first Herald's own
 * records (a receipt carrying Herald's reference may have confirmed the attempt meanwhile,
 * receipt-store.ts), then the vendor's status query by that reference. An acceptance found either way
 * is recorded like an answered one: the attempt row becomes ACCEPTED with the vendor's message id,
 * the send SENT through this account.
 */
export function createVerifyAttemptActivities(deps: VerifyDeps) {
  const { prisma, logger } = deps;

  async function ambiguousAttempt(request: VerifyRequest, runId: string) {
    return prisma.sendAttempt.findFirst({
      where: { sendId: request.sendId, accountId: request.accountId, runId, errorClass: 'AMBIGUOUS' },
      orderBy: { startedAt: 'desc' },
    });
  }

  async function askVendor(account: RoutableAccount, send: { receiver: string; reference: string }, sentAt: Date): Promise<ReferenceLookup | { found: 'ERROR'; why: string }> {
    const adapter = deps.vendors.get(account.provider);
    if (!adapter?.findByReference) return { found: 'ERROR', why: `${account.provider} has no status query by reference` };
    try {
      return await adapter.findByReference(account, { reference: send.reference, receiver: send.receiver, sentAt });
    } catch (error) {
      // The status query failed (its own timeout, a 5xx): no answer this time, ask again later.
      if (error instanceof VendorError) return { found: 'ERROR', why: `status query failed: ${error.vendorCode}` };
      throw error;
    }
  }

  /** The attempt and the send as the vendor's acceptance makes them, in one transaction. */
  async function recordAcceptance(attemptId: string, sendId: string, runId: string, account: RoutableAccount, accepted: VendorAccepted, acceptedAt: Date): Promise<void> {
    const evidence = { accountId: account.id, provider: account.provider, vendorMessageId: accepted.vendorMessageId, sentAt: acceptedAt };
    const [, shown] = await prisma.$transaction([
      prisma.sendAttempt.update({
        where: { id: attemptId },
        data: { outcome: 'ACCEPTED', vendorMessageId: accepted.vendorMessageId, vendorCode: accepted.vendorCode, vendorText: vendorExcerpt(accepted.vendorText) },
      }),
      prisma.send.updateMany({ where: { id: sendId, runId }, data: { status: 'SENT', ...evidence } }),
    ]);
    // A reset replaced this run meanwhile: the acceptance is the replaced run's (billing counts it).
    if (shown.count === 0) await prisma.sendRun.updateMany({ where: { sendId, runId }, data: evidence });
  }

  /** What is known of the attempt: confirmed by a receipt carrying our reference meanwhile (receipt-store.ts), or the vendor's word now. */
  async function lookUp(
    attempt: { outcome: string; vendorMessageId: string | null; vendorCode: string | null; vendorText: string | null; startedAt: Date },
    account: RoutableAccount,
    send: { receiver: string; reference: string },
  ): Promise<ReferenceLookup | { found: 'ERROR'; why: string }> {
    if (attempt.outcome === 'ACCEPTED' && attempt.vendorMessageId) {
      const accepted = { vendorMessageId: attempt.vendorMessageId, vendorCode: attempt.vendorCode ?? 'OK', vendorText: attempt.vendorText ?? 'confirmed by a receipt' };
      return { found: 'ACCEPTED', accepted, receipt: null };
    }
    return askVendor(account, send, attempt.startedAt);
  }

  return {
    async verifyAttempt(request: VerifyRequest): Promise<VerifyAnswer> {
      const runId = deps.runs.currentRun();
      const send = await prisma.send.findUniqueOrThrow({ where: { id: request.sendId }, select: { id: true, receiver: true, runNo: true } });
      const attempt = await ambiguousAttempt(request, runId);
      const account = await deps.accounts.account(request.channel, request.accountId);
      if (!attempt || !account) return { verdict: 'NOT_YET', why: attempt ? 'the account is disabled or gone' : 'no ambiguous attempt recorded' };

      const lookup = await lookUp(attempt, account, { receiver: send.receiver, reference: vendorReference(send.id, send.runNo) });
      logger.info({ sendId: send.id, provider: account.provider, found: lookup.found }, 'ambiguous vendor call verified');
      if (lookup.found === 'NONE') return { verdict: 'NOT_SENT' };
      if (lookup.found === 'NOT_YET') return { verdict: 'NOT_YET', why: 'the vendor shows no such message yet' };
      if (lookup.found === 'ERROR') return { verdict: 'NOT_YET', why: lookup.why };

      const { accepted } = lookup;
      await recordAcceptance(attempt.id, send.id, runId, account, accepted, attempt.startedAt);
      if (lookup.receipt) {
        await storeReceipts(prisma, account, [lookup.receipt], 'POLL');
        countReceipts(deps.metrics, account.provider, [lookup.receipt]);
      }
      await deps.circuit.recordSuccess(account.id);
      const receipt = await receiptForSend(prisma, { id: send.id, runId }, account, accepted.vendorMessageId);
      return {
        verdict: 'ACCEPTED',
        sent: { accountId: account.id, provider: account.provider, vendorMessageId: accepted.vendorMessageId, acceptedAt: attempt.startedAt.toISOString(), receipt },
      };
    },
  };
}
