import { ActivityFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VerifyAnswer, VerifyRequest } from '../activities/verify-attempt';
import type { VendorSendResult } from '../activities/vendor-send';
import type { ReceiptPolicy } from '../shared/contract';
import { VERIFY_CALL } from './activity-options';
import type { DeliveryResult, FailedAttempt } from './failover';
import { STEP } from './step-summaries';

const { verifyAttempt } = proxyActivities<Activities>(VERIFY_CALL);

/** How long to keep asking, and the pauses between checks (the first, doubling to a cap). */
export interface VerifySpan {
  seconds: number;
  firstMs: number;
  maxMs: number;
}

/** What became of a vendor call whose answer never came: the vendor took it, says it never did, or the verify time ran out. */
export type Verdict = { outcome: 'ACCEPTED'; sent: VendorSendResult } | { outcome: 'NOT_SENT' } | { outcome: 'UNKNOWN' };

/**
 * Finds out from the vendor what became of an AMBIGUOUS call before the route moves on: a bounded
 * loop of checks (`verify <account> attempt n with the vendor`), each one activity that reads a
 * receipt carrying Herald's reference or asks the vendor's status query, with pauses doubling to a
 * cap, until the template's verify time runs out. History: one activity and one timer per check.
 */
export async function verifyWithVendor(
  request: VerifyRequest,
  where: { account: string; attempt: number },
  span: VerifySpan,
  report: (what: string) => void,
): Promise<Verdict> {
  const deadline = Date.now() + span.seconds * 1000;
  let pauseMs = span.firstMs;
  for (let check = 1; ; check += 1) {
    const answer = await checkOnce(request, STEP.verifyAttempt(where.account, where.attempt, check), report);
    if (answer.verdict === 'ACCEPTED') return { outcome: 'ACCEPTED', sent: answer.sent };
    if (answer.verdict === 'NOT_SENT') return { outcome: 'NOT_SENT' };
    const left = deadline - Date.now();
    if (left <= 0) return { outcome: 'UNKNOWN' };
    const wait = Math.min(pauseMs, left);
    const summary = STEP.verifyWait(where.account, where.attempt, wait);
    report(summary);
    await sleep(wait, { summary });
    pauseMs = Math.min(pauseMs * 2, span.maxMs);
  }
}

/**
 * No account took the send, but a vendor may have it (an AMBIGUOUS call it neither confirmed nor
 * denied: the verify time ran out, or policy FAST): before the send ends FAILED, it keeps asking
 * those vendors at the receipt poll's pace until the receipt window closes (`verify <account>
 * attempt n with the vendor`). The first that has it becomes the send's vendor, so the send's
 * state follows the truth; none by then, or each says it has no such message: the send fails.
 */
export async function awaitLateAcceptance(
  delivery: Extract<DeliveryResult, { ok: false }>,
  request: Omit<VerifyRequest, 'accountId'>,
  policy: ReceiptPolicy,
  report: (what: string) => void,
): Promise<DeliveryResult> {
  let open = delivery.failed.filter((attempt) => attempt.maybeSent);
  const deadline = Date.now() + policy.windowSeconds * 1000;
  let pauseMs = policy.pollFirstSeconds * 1000;
  for (let check = 1; open.length > 0 && Date.now() < deadline; check += 1) {
    const wait = Math.min(pauseMs, deadline - Date.now());
    const summary = STEP.lateVerifyWait(open.map((attempt) => attempt.account), wait);
    report(summary);
    await sleep(wait, { summary });
    const stillOpen: FailedAttempt[] = [];
    for (const attempt of open) {
      const answer = await checkOnce({ ...request, accountId: attempt.accountId }, STEP.lateVerify(attempt.account, attempt.attempt, check), report);
      if (answer.verdict === 'ACCEPTED') return { ok: true, sent: answer.sent, failed: delivery.failed };
      if (answer.verdict === 'NOT_YET') stillOpen.push(attempt);
    }
    open = stillOpen;
    pauseMs = Math.min(pauseMs * 2, policy.pollMaxSeconds * 1000);
  }
  return delivery;
}

/** One check; a check that keeps failing on Herald's side tells nothing, like a vendor that cannot tell yet. */
async function checkOnce(request: VerifyRequest, summary: string, report: (what: string) => void): Promise<VerifyAnswer> {
  report(summary);
  try {
    return await verifyAttempt.executeWithOptions({ summary }, [request]);
  } catch (error) {
    if (error instanceof ActivityFailure) return { verdict: 'NOT_YET', why: error.message };
    throw error;
  }
}
