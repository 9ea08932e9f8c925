import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { DedupChecker, DedupInput, DedupVerdict } from './dedup';

/** The dedup step: Redis decides; a skipped check is recorded on the send, never fatal. */
export function createDedupActivities(deps: { prisma: PrismaClient; dedup: DedupChecker; logger: Logger; metrics: Metrics }) {
  return {
    async checkDedup(input: DedupInput): Promise<DedupVerdict> {
      const verdict = await deps.dedup.check(input, new Date());
      deps.metrics.dedupOutcomes.inc({ outcome: verdict.outcome });
      if (verdict.outcome === 'SKIPPED') {
        deps.logger.warn({ sendId: input.sendId, detail: verdict.detail }, 'dedup skipped');
        await deps.prisma.send.update({ where: { id: input.sendId }, data: { dedupSkipped: true, reasonDetail: verdict.detail } });
      }
      return verdict;
    },
  };
}
