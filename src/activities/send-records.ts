import type { PrismaClient } from '../generated/prisma/client';
import type { Metrics } from '../observability/metrics';
import { FINAL_STATUSES, type Channel, type Reason, type SendStatus } from '../shared/states';

export interface StatusChange {
  sendId: string;
  status: SendStatus;
  /** Set only when entering DEFERRED; later states keep it as evidence. */
  deferredUntil?: string;
}

export interface FinalOutcome {
  sendId: string;
  status: SendStatus;
  reason: Reason | null;
  channel: Channel;
  provider: string | null;
  reasonDetail?: string | null;
  vendorCode?: string | null;
  vendorText?: string | null;
  collidedWithSendId?: string | null;
}

const notFinal = { notIn: [...FINAL_STATUSES] };

/** Writes the send's state as the workflow decides it. A final state never changes again. */
export function createSendRecordActivities(prisma: PrismaClient, metrics: Metrics) {
  return {
    /** False when the send is already final (canceled before its workflow started). */
    async recordStatus(change: StatusChange): Promise<boolean> {
      const { count } = await prisma.send.updateMany({
        where: { id: change.sendId, status: notFinal },
        data: {
          status: change.status,
          ...(change.deferredUntil ? { deferredUntil: new Date(change.deferredUntil) } : {}),
        },
      });
      // Past the night shield: DEFERRED waits for morning, SENDING goes on (at once or after the wait).
      if (count > 0 && change.status === 'DEFERRED') metrics.shieldOutcomes.inc({ action: 'DEFER' });
      if (count > 0 && change.status === 'SENDING') metrics.shieldOutcomes.inc({ action: 'SEND' });
      return count > 0;
    },

    async finishSend(outcome: FinalOutcome): Promise<void> {
      const { count } = await prisma.send.updateMany({
        where: { id: outcome.sendId, status: notFinal },
        data: {
          status: outcome.status,
          reason: outcome.reason,
          ...(outcome.reasonDetail ? { reasonDetail: outcome.reasonDetail } : {}),
          ...(outcome.vendorCode !== undefined ? { vendorCode: outcome.vendorCode } : {}),
          ...(outcome.vendorText !== undefined ? { vendorText: outcome.vendorText } : {}),
          ...(outcome.collidedWithSendId ? { collidedWithSendId: outcome.collidedWithSendId } : {}),
          finishedAt: new Date(),
        },
      });
      if (count > 0 && outcome.status === 'SHIELDED') metrics.shieldOutcomes.inc({ action: 'DROP' });
      if (count > 0) {
        metrics.sendsFinal.inc({ channel: outcome.channel, vendor: outcome.provider ?? 'none', status: outcome.status, reason: outcome.reason ?? 'none' });
      }
    },
  };
}
