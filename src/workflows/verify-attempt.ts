import { ActivityFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VerifyAnswer, VerifyRequest } from '../activities/verify-attempt';
import type { VendorSendResult } from '../activities/vendor-send';
import type { AmbiguityRule } from '../shared/contract';
import { VERIFY_CALL } from './activity-options';
import { STEP } from './step-summaries';

const { verifyAttempt } = proxyActivities<Activities>(VERIFY_CALL);

/** Pauses between checks: the first soon (most vendors know within a second), doubling to a cap. */
const CHECK_PAUSE = { firstMs: 1_000, maxMs: 30_000 };

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
  rule: AmbiguityRule,
  report: (what: string) => void,
): Promise<Verdict> {
  const deadline = Date.now() + rule.verifySeconds * 1000;
  let pauseMs = CHECK_PAUSE.firstMs;
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
    pauseMs = Math.min(pauseMs * 2, CHECK_PAUSE.maxMs);
  }
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
