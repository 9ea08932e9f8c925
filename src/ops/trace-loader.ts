import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { PrismaClient } from '../generated/prisma/client';
import { readRoutePlan } from '../routing/route-plan';
import { sendWorkflowId } from '../shared/contract';
import { attemptEvidence, EVIDENCE_INCLUDE, receiptEvidence } from './send-evidence';
import type { TraceRecords } from './trace-records';

/** The send's rows, or null when there is no such send. */
export async function loadTraceRecords(prisma: PrismaClient, sendId: string): Promise<TraceRecords | null> {
  const send = await prisma.send.findUnique({
    where: { id: sendId },
    include: {
      message: { select: { apiKey: { select: { name: true } }, template: { select: { code: true } } } },
      ...EVIDENCE_INCLUDE,
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
    },
    route: readRoutePlan(send.routePlan),
    requests: requests.map((r) => ({ id: r.id, at: r.at, durationMs: r.durationMs, method: r.method, path: r.path, status: r.status })),
    attempts: send.attempts.map(attemptEvidence),
    receipts: send.receipts.map(receiptEvidence),
  };
}

export type HistoryLoad =
  | { available: true; events: temporal.api.history.v1.IHistoryEvent[] }
  | { available: false; error: string };

/**
 * The workflow history of the send. A workflow that has not started yet, is
 * past retention, or a Temporal outage is not an error for the trace: the
 * records still answer, and the trace says the history is missing and why.
 */
export async function loadHistory(client: Client, sendId: string): Promise<HistoryLoad> {
  try {
    const history = await client.workflow.getHandle(sendWorkflowId(sendId)).fetchHistory();
    return { available: true, events: history.events ?? [] };
  } catch (error) {
    return { available: false, error: error instanceof Error ? error.message : String(error) };
  }
}
