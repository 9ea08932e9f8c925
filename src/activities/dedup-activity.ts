import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { DedupChecker, DedupInput, DedupVerdict } from './dedup';
import type { RunClaims } from './run-claim';

/** The dedup step: Redis decides; a skipped check is recorded on the send (the run's own row), never fatal. */
export function createDedupActivities(deps: { prisma: PrismaClient; dedup: DedupChecker; runs: Pick<RunClaims, 'currentRun'>; logger: Logger; metrics: Metrics }) {
  return {
    async checkDedup(input: DedupInput): Promise<DedupVerdict> {
      const verdict = await deps.dedup.check(input, new Date());
      deps.metrics.dedupOutcomes.inc({ outcome: verdict.outcome });
      if (verdict.outcome === 'SKIPPED') {
        deps.logger.warn({ sendId: input.sendId, detail: verdict.detail }, 'dedup skipped');
        await deps.prisma.send.updateMany({ where: { id: input.sendId, runId: deps.runs.currentRun() }, data: { dedupSkipped: true, reasonDetail: verdict.detail } });
      }
      return verdict;
    },
  };
}
