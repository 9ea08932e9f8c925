import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { RoutePlan } from '../routing/route-plan';
import { FINAL_STATUSES, type Channel, type Reason, type SendStatus } from '../shared/states';
import type { DedupChecker, DedupSlot } from './dedup';
import type { RunClaims } from './run-claim';

export interface StatusChange {
  sendId: string;
  status: SendStatus;
  /** Set only when entering DEFERRED; later states keep it as evidence. */
  deferredUntil?: string;
  /** Set only when entering SENDING: the route the send was planned with (`route_plan`). */
  routePlan?: RoutePlan;
}

/** A vendor's acceptance as the run that holds it writes it with the final state. */
export interface Acceptance {
  accountId: string;
  vendorMessageId: string;
  /** ISO time the vendor accepted it. */
  acceptedAt: string;
}

export interface FinalOutcome {
  sendId: string;
  status: SendStatus;
  reason: Reason | null;
  channel: Channel;
  provider: string | null;
  /**
   * The acceptance this run holds: its own, or the one a reset to after the vendor step kept
   * from the run before (its row was handed over with no vendor evidence). Null: none.
   */
  acceptance?: Acceptance | null;
  /** The dedup slot of a send that ends with no vendor's acceptance: handed back. */
  releaseDedupSlot?: DedupSlot | null;
  reasonDetail?: string | null;
  vendorCode?: string | null;
  vendorText?: string | null;
  collidedWithSendId?: string | null;
}

const notFinal = { notIn: [...FINAL_STATUSES] };

/** The row the calling run may write: its own, or one no run has written yet that is not final (the first write takes it). */
function ownedBy(runId: string) {
  return { OR: [{ runId }, { runId: null, status: notFinal }] };
}

/**
 * The final state written as the calling run: only on a row that run owns (or that no run has written
 * and is not final). Shared by recordFinalState (which may change its own run's final state) and the
 * vendor step that records a receipt it holds (`NOT_OVER_FINAL`: never over a final state).
 */
export function writeFinalState(prisma: PrismaClient, runId: string, outcome: FinalOutcome, over: 'OVER_OWN_FINAL' | 'NOT_OVER_FINAL' = 'OVER_OWN_FINAL'): Promise<{ count: number }> {
  const { acceptance } = outcome;
  return prisma.send.updateMany({
    where: { id: outcome.sendId, ...ownedBy(runId), ...(over === 'NOT_OVER_FINAL' ? { status: notFinal } : {}) },
    data: {
      runId,
      status: outcome.status,
      reason: outcome.reason,
      ...(outcome.reasonDetail ? { reasonDetail: outcome.reasonDetail } : {}),
      ...(outcome.vendorCode !== undefined ? { vendorCode: outcome.vendorCode } : {}),
      ...(outcome.vendorText !== undefined ? { vendorText: outcome.vendorText } : {}),
      ...(outcome.collidedWithSendId ? { collidedWithSendId: outcome.collidedWithSendId } : {}),
      ...(acceptance
        ? { accountId: acceptance.accountId, provider: outcome.provider, vendorMessageId: acceptance.vendorMessageId, sentAt: new Date(acceptance.acceptedAt) }
        : {}),
      finishedAt: new Date(),
    },
  });
}

/** A final state just written, counted once (and a night-shield drop as the shield's outcome). */
export function countFinalState(metrics: Metrics, outcome: Pick<FinalOutcome, 'status' | 'reason' | 'channel' | 'provider'>): void {
  if (outcome.status === 'SHIELDED') metrics.shieldOutcomes.inc({ action: 'DROP' });
  metrics.sendsFinal.inc({ channel: outcome.channel, vendor: outcome.provider ?? 'none', status: outcome.status, reason: outcome.reason ?? 'none' });
}

interface SendRecordDeps {
  prisma: PrismaClient;
  metrics: Metrics;
  runs: RunClaims;
  dedup: Pick<DedupChecker, 'release'>;
  logger: Logger;
}

/**
 * Writes the send's state as the workflow run decides it. Each write is conditional on the row
 * being the calling run's, so the common case is one statement; a write that matched no row
 * claims the row (a reset's new run takes it over) and writes again.
 */
export function createSendRecordActivities(deps: SendRecordDeps) {
  const { prisma, metrics } = deps;

  /** False when the send was canceled through the API before any run started: nothing to write, nothing to send. */
  async function writeAsRun(sendId: string, write: (runId: string) => Promise<{ count: number }>): Promise<boolean> {
    const runId = deps.runs.currentRun();
    if ((await write(runId)).count > 0) return true;
    if ((await deps.runs.claim(sendId, runId)) === 'CANCELED_BEFORE_START') return false;
    return (await write(runId)).count > 0;
  }

  /** False when the send is already final with no run (canceled before its workflow started). */
  async function recordState(change: StatusChange): Promise<boolean> {
    const written = await writeAsRun(change.sendId, (runId) =>
      prisma.send.updateMany({
        where: { id: change.sendId, ...ownedBy(runId) },
        data: {
          status: change.status,
          runId,
          ...(change.deferredUntil ? { deferredUntil: new Date(change.deferredUntil) } : {}),
          ...(change.routePlan ? { routePlan: change.routePlan } : {}),
        },
      }),
    );
    // Past the night shield: DEFERRED waits for morning, SENDING goes on (at once or after the wait).
    if (written && change.status === 'DEFERRED') metrics.shieldOutcomes.inc({ action: 'DEFER' });
    if (written && change.status === 'SENDING') metrics.shieldOutcomes.inc({ action: 'SEND' });
    return written;
  }

  async function recordFinalState(outcome: FinalOutcome): Promise<void> {
    const written = await writeAsRun(outcome.sendId, (runId) => writeFinalState(prisma, runId, outcome));
    if (written) countFinalState(metrics, outcome);
    if (outcome.releaseDedupSlot && !(await deps.dedup.release(outcome.sendId, outcome.releaseDedupSlot))) {
      deps.logger.warn({ sendId: outcome.sendId }, 'dedup slot not handed back (Redis unavailable); it lapses with its window');
    }
  }

  return { recordState, recordFinalState };
}
