import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { confirmStoredByReference, receiptForSend, suppressUnsubscribed } from '../receipts/receipt-store';
import type { HealthStore } from '../routing/health-store';
import type { ReceiptNotice } from '../shared/contract';
import { isDatabaseUnavailable } from '../db/database-unavailable';
import { FAILURE_TYPE, RATE_LIMIT_HOLD_TYPE, RUN_SUPERSEDED_TYPE, STORE_UNAVAILABLE_HOLD_TYPE } from '../shared/failures';
import type { Channel } from '../shared/states';
import { VendorError } from '../vendors/vendor-error';
import type { VendorAccepted, VendorRegistry } from '../vendors/types';
import type { AccountDirectory, RoutableAccount } from './account-directory';
import type { CircuitBreaker } from './circuit-breaker';
import { RateLimitHoldError, type AccountRateLimiter } from './rate-limit';
import type { RunClaims } from './run-claim';
import type { VendorBatcher } from './vendor-batcher';
import { countReceipts } from '../observability/metrics';
import { finalStateOfReceipt, mayBeRerouted } from '../shared/receipt-outcome';
import { vendorReference } from '../shared/vendor-reference';
import { countFinalState, writeFinalState, type FinalOutcome } from './send-records';
import { loadSendForVendor, recordAcceptedCall, type SendForVendor } from './vendor-step-rows';

export interface VendorSendRequest {
  sendId: string;
  channel: Channel;
  accountId: string;
  /** The leg of the send: 1 (absent) the first vendor send of its run, n + 1 the n-th re-route after a failed receipt (src/workflows/reroute.ts). */
  leg?: number;
  /**
   * Set on a send's first leg: a receipt this call finds (it came with the vendor's answer, or was
   * pushed and stored before the call ended) that decides the send is recorded here as the send's final
   * state, run-owned as recordFinalState writes it, and the workflow records nothing more.
   */
  finalOnReceipt?: FinalOnReceipt;
}

/** What the workflow says of a receipt the vendor step may record as the final state. */
export interface FinalOnReceipt {
  /** The template re-routes a failed receipt another vendor may fix: such a receipt is the workflow's to decide. */
  mayReroute: boolean;
}

export interface VendorSendResult {
  accountId: string;
  provider: string;
  vendorMessageId: string;
  /** ISO time the vendor accepted it. */
  acceptedAt: string;
  /** A receipt that reached us before the vendor's answer did. */
  receipt: ReceiptNotice | null;
  /** The run that recorded `receipt` as the send's final state in this call (see `finalOnReceipt`); null or absent: not recorded. */
  finalRecordedBy?: string | null;
}

/** Details attached to a classified failure, for the workflow's record of why it moved on. */
export interface VendorFailureDetails {
  reason: string;
  vendorCode: string;
  vendorText: string;
  provider: string;
  accountId: string;
  /** Calls of this activity on the account so far (Temporal's attempt number): an AMBIGUOUS call is asked again only within the account's budget. */
  calls?: number;
}

interface VendorSendDeps {
  prisma: PrismaClient;
  /** The pool under Prisma, for the step's two hot statements (vendor-step-rows.ts). */
  pool: Pool;
  vendors: VendorRegistry;
  /** Joins this call with others of the same account and content into one vendor request, where the provider can. */
  batcher: VendorBatcher;
  accounts: AccountDirectory;
  circuit: CircuitBreaker;
  /** Each call's latency (and a final receipt) counts into the account's routing health. */
  health: HealthStore;
  rateLimiter: AccountRateLimiter;
  rateLimitMaxWaitMs: number;
  runs: RunClaims;
  logger: Logger;
  metrics: Metrics;
}

/** One vendor call for one send through one account; every call leaves an attempt row with its run. */
export function createVendorSendActivities(deps: VendorSendDeps) {
  const { prisma, logger } = deps;

  /** The send as the calling run owns it: a reset's new run whose first write this is takes the row over first. */
  async function loadOwnedSend(sendId: string, runId: string, leg: number): Promise<SendForVendor> {
    const send = await loadSendForVendor(deps.pool, sendId, leg);
    if (send.runId === runId) return send;
    if ((await deps.runs.claim(sendId, runId)) === 'CANCELED_BEFORE_START') {
      throw ApplicationFailure.create({ type: RUN_SUPERSEDED_TYPE, message: `send ${sendId} is final with no run (canceled before its workflow started): not sent`, nonRetryable: true });
    }
    return loadSendForVendor(deps.pool, sendId, leg);
  }

  async function callVendor(account: RoutableAccount, send: SendForVendor, leg: number): Promise<VendorAccepted> {
    const adapter = deps.vendors.get(account.provider);
    if (!adapter) {
      throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', 'NO_ADAPTER', `no adapter for provider ${account.provider}`);
    }
    if (account.rateLimitPerSecond) {
      const { waitedMs } = await deps.rateLimiter.waitForSlot(account.id, account.rateLimitPerSecond, deps.rateLimitMaxWaitMs);
      if (waitedMs > 0) deps.metrics.rateLimitWaits.inc({ account: account.name });
    }
    return deps.batcher.send(adapter, account, {
      sendId: send.id,
      reference: vendorReference(send.id, send.runNo, leg),
      receiver: send.receiver,
      content: send.content,
      subject: send.subject,
      vendorTemplateId: send.vendorTemplateIds?.[account.provider] ?? null,
      // A campaign send has its own row's variables; any other send, its message's.
      variables: send.variables ?? send.messageVariables ?? {},
    });
  }

  /**
   * The first call on an account after failures on another one (in the same leg) is a failover, the first
   * call of a re-route leg a re-route: each counted by the provider left behind.
   */
  async function countRouteChange(send: SendForVendor, account: RoutableAccount, leg: number): Promise<void> {
    const earlier = send.legCalls;
    if (earlier.length === 0 && leg > 1) {
      const rerouted = await prisma.sendAttempt.findFirst({ where: { sendId: send.id, leg: leg - 1, outcome: 'ACCEPTED' }, select: { provider: true }, orderBy: { startedAt: 'desc' } });
      if (rerouted) deps.metrics.sendReroutes.inc({ from_provider: rerouted.provider, to_provider: account.provider });
      return;
    }
    if (earlier.length === 0 || earlier.some((attempt) => attempt.accountId === account.id)) return;
    deps.metrics.vendorFailovers.inc({ from_provider: earlier[0].provider, to_provider: account.provider });
  }

  /**
   * An AMBIGUOUS call to a provider Herald cannot ask by its reference (no `findByReference`): nothing
   * to find out, so it is retried and failed over like a retryable one, as before (docs/guarantees.md).
   */
  function askable(account: RoutableAccount, error: VendorError): VendorError {
    if (error.errorClass !== 'AMBIGUOUS' || deps.vendors.get(account.provider)?.findByReference) return error;
    return new VendorError('RETRYABLE', error.reason, error.vendorCode, error.vendorText);
  }

  /** Records a failed vendor call and turns it into the classified Temporal failure the workflow reads. */
  async function recordFailure(
    account: RoutableAccount,
    send: { id: string; receiver: string; runId: string; leg: number; reference: string },
    attemptNo: number,
    startedAt: Date,
    error: unknown,
  ): Promise<ApplicationFailure> {
    const { id: sendId, receiver, runId, leg } = send;
    const classified = askable(account, error instanceof VendorError
      ? error
      : new VendorError('RETRYABLE', 'UNKNOWN', 'HERALD_ERROR', error instanceof Error ? error.message : String(error)));
    const ambiguous = classified.errorClass === 'AMBIGUOUS';
    const durationMs = Date.now() - startedAt.getTime();
    deps.metrics.vendorCallDuration.observe({ provider: account.provider, account: account.name, outcome: classified.errorClass }, durationMs / 1000);
    const attempt = await prisma.sendAttempt.create({
      data: {
        sendId, accountId: account.id, provider: account.provider, attemptNo, leg, outcome: ambiguous ? 'AMBIGUOUS' : 'FAILED',
        errorClass: classified.errorClass, reason: classified.reason, vendorCode: classified.vendorCode,
        vendorText: classified.vendorText, startedAt, durationMs, runId,
      },
    });
    // The vendor's receipt may have come before its answer would have: it confirms the call at once.
    if (ambiguous) await confirmStoredByReference(prisma, account, { id: attempt.id, sendId, runId }, send.reference);
    if (classified.errorClass !== 'RECEIVER_INVALID') await deps.circuit.recordFailure(account.id);
    await deps.health.recordCall(account.id, durationMs);
    // The vendor refused because the receiver opted out (Twilio 21610): like an unsubscribe receipt.
    if (classified.reason === 'UNSUBSCRIBED') await suppressUnsubscribed(prisma, sendId, classified.vendorCode, { by: 'refusal', provider: account.provider });
    logger.warn({ sendId, receiver, provider: account.provider, errorClass: classified.errorClass, vendorCode: classified.vendorCode }, 'vendor call failed');
    const details: VendorFailureDetails = {
      reason: classified.reason, vendorCode: classified.vendorCode, vendorText: classified.vendorText,
      provider: account.provider, accountId: account.id, calls: attemptNo,
    };
    return ApplicationFailure.create({
      type: FAILURE_TYPE[classified.errorClass],
      message: `${classified.errorClass} ${classified.vendorCode}`,
      nonRetryable: classified.errorClass !== 'RETRYABLE',
      details: [details],
    });
  }

  /**
   * The acceptance this run already has for this leg: the first leg's is on the send row, a re-route's
   * in its ACCEPTED attempt, written in the same statement (the row shows the newest leg only).
   */
  async function acceptanceOfLeg(send: SendForVendor, runId: string, leg: number, calledAccountId: string) {
    if (leg === 1) {
      return send.vendorMessageId && send.provider
        ? { accountId: send.accountId ?? calledAccountId, provider: send.provider, vendorMessageId: send.vendorMessageId, acceptedAt: send.sentAt ?? new Date() }
        : null;
    }
    const attempt = await prisma.sendAttempt.findFirst({ where: { sendId: send.id, runId, leg, outcome: 'ACCEPTED' } });
    return attempt?.vendorMessageId
      ? { accountId: attempt.accountId, provider: attempt.provider, vendorMessageId: attempt.vendorMessageId, acceptedAt: new Date(attempt.startedAt.getTime() + attempt.durationMs) }
      : null;
  }

  /**
   * The receipt of this call's acceptance as the send's final state, written by the run that holds the
   * acceptance when the workflow asked for it and the receipt decides the send. The run's id, or null.
   */
  async function recordDecidingReceipt(
    request: VendorSendRequest,
    runId: string,
    acceptance: Omit<VendorSendResult, 'receipt'>,
    receipt: ReceiptNotice | null,
  ): Promise<string | null> {
    const asked = request.finalOnReceipt;
    if (!receipt || !asked || (asked.mayReroute && mayBeRerouted(receipt))) return null;
    const outcome: FinalOutcome = {
      sendId: request.sendId,
      channel: request.channel,
      provider: acceptance.provider,
      acceptance: { accountId: acceptance.accountId, vendorMessageId: acceptance.vendorMessageId, acceptedAt: acceptance.acceptedAt },
      ...finalStateOfReceipt(receipt),
    };
    if ((await writeFinalState(prisma, runId, outcome, 'NOT_OVER_FINAL')).count > 0) {
      countFinalState(deps.metrics, outcome);
      return runId;
    }
    // The receipt's push wrote this same final state for this run first (and counted it).
    const written = await prisma.send.count({ where: { id: request.sendId, runId, status: outcome.status, vendorMessageId: acceptance.vendorMessageId } });
    return written > 0 ? runId : null;
  }

  async function sendOnce(request: VendorSendRequest): Promise<VendorSendResult> {
    const runId = deps.runs.currentRun();
    const leg = request.leg ?? 1;
    const send = await loadOwnedSend(request.sendId, runId, leg);
    const account = await deps.accounts.account(request.channel, request.accountId);
    if (!account) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPE.VENDOR_REJECTED,
        message: `account ${request.accountId} is disabled or gone`,
        nonRetryable: true,
        details: [{ reason: 'VENDOR_REJECTED', vendorCode: 'ACCOUNT_DISABLED', vendorText: 'account disabled', provider: '', accountId: request.accountId }],
      });
    }
    const earlier = await acceptanceOfLeg(send, runId, leg, account.id);
    if (earlier) {
      // A vendor already accepted this leg of the send in this run (an earlier attempt whose completion was lost): never send twice.
      // A re-run's row was handed over without vendor evidence and its attempts are its own, so a re-run sends again.
      const receipt = await receiptForSend(prisma, { id: send.id, runId }, { id: earlier.accountId, provider: earlier.provider }, earlier.vendorMessageId);
      const acceptance = { ...earlier, acceptedAt: earlier.acceptedAt.toISOString() };
      return { ...acceptance, receipt, finalRecordedBy: await recordDecidingReceipt(request, runId, acceptance, receipt) };
    }

    const attemptNo = Context.current().info.attempt;
    if (attemptNo === 1) await countRouteChange(send, account, leg);
    const startedAt = new Date();
    let accepted: VendorAccepted;
    try {
      accepted = await callVendor(account, send, leg);
    } catch (error) {
      if (error instanceof RateLimitHoldError) {
        throw ApplicationFailure.create({ type: RATE_LIMIT_HOLD_TYPE, message: `account ${account.name} is over its rate limit`, nonRetryable: true });
      }
      throw await recordFailure(account, { id: send.id, receiver: send.receiver, runId, leg, reference: vendorReference(send.id, send.runNo, leg) }, attemptNo, startedAt, error);
    }
    // Failures from here on are ours, not the vendor's: Temporal retries them, and the retry
    // finds the recorded vendor id, or sends again with the same clientRef (vendor-side dedup).
    const acceptedAt = new Date();
    const durationMs = acceptedAt.getTime() - startedAt.getTime();
    deps.metrics.vendorCallDuration.observe({ provider: account.provider, account: account.name, outcome: 'ACCEPTED' }, durationMs / 1000);
    const shown = await recordAcceptedCall(deps.pool, {
      sendId: send.id, runId, accountId: account.id, provider: account.provider, attemptNo, leg,
      vendorCode: accepted.vendorCode, vendorText: accepted.vendorText, vendorMessageId: accepted.vendorMessageId,
      startedAt, acceptedAt, finalReceipt: accepted.finalReceipt ?? null,
    });
    // A reset replaced this run while the vendor call was out: the acceptance is the replaced run's, kept on its row (billing counts it).
    if (!shown) {
      await prisma.sendRun.updateMany({
        where: { sendId: send.id, runId },
        data: { accountId: account.id, provider: account.provider, vendorMessageId: accepted.vendorMessageId, sentAt: acceptedAt },
      });
    }
    if (accepted.finalReceipt) countReceipts(deps.metrics, account.provider, [accepted.finalReceipt]);
    await deps.circuit.recordSuccess(account.id);
    await deps.health.recordCall(account.id, durationMs);
    if (accepted.finalReceipt) await deps.health.recordReceipts(account.id, [accepted.finalReceipt]);
    logger.info({ sendId: send.id, receiver: send.receiver, provider: account.provider, durationMs }, 'vendor accepted');
    const receipt = await receiptForSend(prisma, { id: send.id, runId }, account, accepted.vendorMessageId);
    const acceptance = { accountId: account.id, provider: account.provider, vendorMessageId: accepted.vendorMessageId, acceptedAt: acceptedAt.toISOString() };
    return { ...acceptance, receipt, finalRecordedBy: await recordDecidingReceipt(request, runId, acceptance, receipt) };
  }

  return {
    async sendViaAccount(request: VendorSendRequest): Promise<VendorSendResult> {
      try {
        return await sendOnce(request);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        // Our outage, not the vendor's: the workflow holds the send and asks again. If the vendor had
        // accepted already, the new call carries the same clientRef (the sendId) as the first one.
        logger.warn({ sendId: request.sendId }, 'database unreachable during a vendor send; the workflow holds the send');
        throw ApplicationFailure.create({ type: STORE_UNAVAILABLE_HOLD_TYPE, message: 'Herald\'s database is unreachable', nonRetryable: true });
      }
    },

    /**
     * The wait of a send held for Herald's database: fails while Postgres does not answer, and
     * Temporal retries it (STORE_WAIT: backoff to a cap, no history events per retry).
     */
    async awaitStoreReachable(): Promise<void> {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}
