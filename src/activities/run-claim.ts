import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { replaceRun } from '../sending/send-runs';
import { sendWorkflowId } from '../shared/contract';
import { RUN_SUPERSEDED_TYPE } from '../shared/failures';
import { isFinal, type SendStatus } from '../shared/states';

/** Asks Temporal which run of a workflow id is the current one (the newest, after a reset). */
export interface WorkflowRuns {
  currentRunId(workflowId: string): Promise<string>;
}

/**
 * Where the calling run stands with the send's row, found when its conditional write matched no row:
 * the row is its own (taken over now, or already), or the send was canceled through the API before
 * any run started (final with no run), so there is nothing to send.
 */
export type RunClaim = 'OWNED' | 'CANCELED_BEFORE_START';

export interface RunClaims {
  /** The workflow run of the activity calling (local or not). */
  currentRun(): string;
  /**
   * Makes the send's row the calling run's: a row with no run yet is taken; a row another run wrote is
   * taken over when Temporal says the caller is the current run (a reset replaced that one); a caller
   * that is no longer current gets a non-retryable `SendRunSuperseded` and writes nothing.
   */
  claim(sendId: string, runId: string): Promise<RunClaim>;
}

export function createRunClaims(deps: { prisma: PrismaClient; workflowRuns: WorkflowRuns; logger: Logger }): RunClaims {
  async function claim(sendId: string, runId: string): Promise<RunClaim> {
    const row = await deps.prisma.send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true, runId: true } });
    if (row.runId === runId) return 'OWNED';
    if (row.runId === null) {
      if (isFinal(row.status as SendStatus)) return 'CANCELED_BEFORE_START';
      await deps.prisma.send.updateMany({ where: { id: sendId, runId: null }, data: { runId } });
      return claim(sendId, runId);
    }
    const current = await deps.workflowRuns.currentRunId(sendWorkflowId(sendId));
    if (current !== runId) {
      throw ApplicationFailure.create({ type: RUN_SUPERSEDED_TYPE, message: `run ${runId} of send ${sendId} was replaced by run ${current}`, nonRetryable: true });
    }
    deps.logger.info({ sendId, fromRunId: row.runId, toRunId: runId }, 'send re-run: this run takes the send over');
    const fromRunId = row.runId;
    await deps.prisma.$transaction((tx) => replaceRun(tx, { sendId, fromRunId, toRunId: runId, how: 'RESET', requestedBy: null }));
    return claim(sendId, runId);
  }

  return {
    currentRun() {
      const execution = Context.current().info.workflowExecution;
      if (!execution) throw new Error('send records are written by the send workflow only');
      return execution.runId;
    },
    claim,
  };
}
