import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../generated/prisma/client';
import { readRoutePlan } from '../routing/route-plan';
import { sendWorkflowId } from '../shared/contract';
import { attemptEvidence, EVIDENCE_INCLUDE, receiptEvidence, runEvidence } from './send-evidence';
import type { RunHistory } from './trace-history';
import type { TraceRecords } from './trace-records';

/** The send's rows, or null when there is no such send. */
export async function loadTraceRecords(prisma: PrismaClient, sendId: string): Promise<TraceRecords | null> {
  const send = await prisma.send.findUnique({
    where: { id: sendId },
    include: {
      message: { select: { apiKey: { select: { name: true } }, template: { select: { code: true } } } },
      ...EVIDENCE_INCLUDE,
      fallback: { select: { id: true, channel: true, status: true, createdAt: true } },
    },
  });
  if (!send) return null;
  const requests = await prisma.apiRequestLog.findMany({ where: { messageId: send.messageId }, orderBy: { at: 'asc' } });
  return {
    send: {
      id: send.id,
      receiver: send.receiver,
      template: send.message.template.code,
      caller: send.message.apiKey.name,
      segments: send.segments,
      createdAt: send.createdAt,
      sendAt: send.sendAt,
      status: send.status,
      reason: send.reason,
      reasonDetail: send.reasonDetail,
      finishedAt: send.finishedAt,
      runId: send.runId,
      runNo: send.runNo,
    },
    route: readRoutePlan(send.routePlan),
    requests: requests.map((r) => ({ id: r.id, at: r.at, durationMs: r.durationMs, method: r.method, path: r.path, status: r.status })),
    attempts: send.attempts.map(attemptEvidence),
    receipts: send.receipts.map(receiptEvidence),
    earlierRuns: send.replacedRuns.map(runEvidence),
    fallbackOf: send.fallbackOf,
    fallback: send.fallback,
  };
}

export type HistoryLoad = { available: true; runs: RunHistory[] } | { available: false; error: string };

/**
 * The workflow history of every run of the send, oldest first (the newest run when the
 * records name none). A workflow that has not started yet, is past retention, or a
 * Temporal outage is not an error for the trace: the records still answer, and the trace
 * says the history is missing and why.
 */
export async function loadHistory(client: Client, records: TraceRecords): Promise<HistoryLoad> {
  const runs = [...records.earlierRuns.map((run) => ({ runId: run.runId, runNo: run.runNo })), { runId: records.send.runId ?? undefined, runNo: records.send.runNo }];
  try {
    const histories = await Promise.all(
      runs.map(async ({ runId, runNo }) => ({ runNo, events: (await client.workflow.getHandle(sendWorkflowId(records.send.id), runId).fetchHistory()).events ?? [] })),
    );
    return { available: true, runs: histories };
  } catch (error) {
    return { available: false, error: error instanceof Error ? error.message : String(error) };
  }
}
