import { describeRoutePlan, type RoutePlan } from '../routing/route-plan';
import { maskReceiver } from '../shared/mask';
import type { TraceEvent } from './trace-event';
import type { AttemptEvidence, ReceiptEvidence } from './send-evidence';

/** The Postgres side of one send: what the API, the activities and the receipt endpoint wrote. */
export interface TraceRecords {
  send: {
    id: string;
    receiver: string;
    template: string;
    caller: string;
    segments: number;
    createdAt: Date;
    sendAt: Date | null;
    status: string;
    reason: string | null;
    reasonDetail: string | null;
    finishedAt: Date | null;
  };
  /** The route it was planned with; null before routing or for sends older than route plans. */
  route: RoutePlan | null;
  requests: Array<{ id: string; at: Date; durationMs: number; method: string; path: string; status: number }>;
  attempts: AttemptEvidence[];
  receipts: ReceiptEvidence[];
}

/** The records of a send as trace lines, each naming the row it comes from. */
export function eventsFromRecords(records: TraceRecords): TraceEvent[] {
  const { send } = records;
  const lines: TraceEvent[] = records.requests.map((request) => ({
    // The log row is written when the answer is sent; the request arrived durationMs earlier.
    at: new Date(request.at.getTime() - request.durationMs),
    source: 'records',
    step: 'api',
    what: `${request.method} ${request.path} arrived, answered ${request.status} after ${request.durationMs} ms`,
    evidence: `api_request_log ${request.id}`,
  }));
  lines.push({
    at: send.createdAt,
    source: 'records',
    step: 'api',
    what: `send accepted: template ${send.template}, receiver ${maskReceiver(send.receiver)}, ${send.segments} segment(s), caller ${send.caller}${send.sendAt ? `, scheduled for ${send.sendAt.toISOString()}` : ''}`,
    evidence: `send ${send.id}`,
  });
  if (records.route) {
    lines.push({
      at: new Date(records.route.plannedAt),
      source: 'records',
      step: 'vendor',
      what: `route planned: ${describeRoutePlan(records.route)}`,
      evidence: `send ${send.id} route_plan`,
    });
  }
  for (const attempt of records.attempts) {
    const answer = attempt.outcome === 'ACCEPTED' ? `vendor message id ${attempt.vendorMessageId ?? '?'}` : `${attempt.errorClass ?? 'ERROR'} ${attempt.vendorCode ?? ''}: ${attempt.vendorText ?? ''}`;
    lines.push({
      at: attempt.startedAt,
      source: 'records',
      step: 'vendor',
      what: `vendor call #${attempt.attemptNo} on ${attempt.account} (${attempt.provider}): ${attempt.outcome}, ${answer} (${attempt.durationMs} ms)`,
      evidence: `send_attempt ${attempt.id}`,
    });
  }
  for (const receipt of records.receipts) {
    const reason = receipt.status === 'DELIVERED' ? `delivered at ${receipt.deliveredAt?.toISOString() ?? '?'}` : `${receipt.reason ?? 'UNKNOWN'}`;
    lines.push({
      at: receipt.receivedAt,
      source: 'records',
      step: 'receipt',
      what: `receipt ${receipt.status} by ${receipt.source}: ${reason} (vendor code ${receipt.vendorCode ?? '-'}: ${receipt.vendorText ?? '-'})`,
      evidence: `receipt ${receipt.id}`,
    });
  }
  if (send.finishedAt) {
    lines.push({
      at: send.finishedAt,
      source: 'records',
      step: 'status',
      what: `final state ${send.status}${send.reason ? ` (${send.reason})` : ''}${send.reasonDetail ? `: ${send.reasonDetail}` : ''}`,
      evidence: `send ${send.id}`,
    });
  }
  return lines;
}
