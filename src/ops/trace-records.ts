import { describeRoutePlan, type RoutePlan } from '../routing/route-plan';
import { maskReceiver } from '../shared/mask';
import type { TraceEvent } from './trace-event';
import { describeReroute, reroutesOf, runNumbers, type AttemptEvidence, type ReceiptEvidence, type RunEvidence } from './send-evidence';

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
    /** The run the row shows (null: no run started yet) and its number. */
    runId: string | null;
    runNo: number;
  };
  /** The route it was planned with; null before routing or for sends older than route plans. */
  route: RoutePlan | null;
  requests: Array<{ id: string; at: Date; durationMs: number; method: string; path: string; status: number }>;
  attempts: AttemptEvidence[];
  receipts: ReceiptEvidence[];
  /** Earlier runs, replaced by a reset or a retry, oldest first. */
  earlierRuns: RunEvidence[];
  /** A fallback send: the send that started it. */
  fallbackOf: string | null;
  /** The fallback send this one started on another channel. */
  fallback: { id: string; channel: string; status: string; createdAt: Date } | null;
}

/** The records of a send as trace lines, each naming the row it comes from and the run it belongs to. */
export function eventsFromRecords(records: TraceRecords): TraceEvent[] {
  const { send } = records;
  const runOf = runNumbers(records.earlierRuns, send);
  const lines: TraceEvent[] = records.requests.map((request) => ({
    // The log row is written when the answer is sent; the request arrived durationMs earlier.
    at: new Date(request.at.getTime() - request.durationMs),
    source: 'records',
    step: 'api',
    what: `${request.method} ${request.path} arrived, answered ${request.status} after ${request.durationMs} ms`,
    run: null,
    evidence: `api_request_log ${request.id}`,
  }));
  lines.push({
    at: send.createdAt,
    source: 'records',
    step: 'api',
    what: `send accepted: template ${send.template}, receiver ${maskReceiver(send.receiver)}, ${send.segments} segment(s), caller ${send.caller}${send.sendAt ? `, scheduled for ${send.sendAt.toISOString()}` : ''}`,
    run: null,
    evidence: `send ${send.id}`,
  });
  if (records.route) {
    lines.push({
      at: new Date(records.route.plannedAt),
      source: 'records',
      step: 'vendor',
      what: `route planned: ${describeRoutePlan(records.route)}`,
      run: send.runNo,
      evidence: `send ${send.id} route_plan`,
    });
  }
  for (const attempt of records.attempts) {
    const answer = attempt.outcome === 'ACCEPTED' ? `vendor message id ${attempt.vendorMessageId ?? '?'}` : `${attempt.errorClass ?? 'ERROR'} ${attempt.vendorCode ?? ''}: ${attempt.vendorText ?? ''}`;
    lines.push({
      at: attempt.startedAt,
      source: 'records',
      step: 'vendor',
      what: `${attempt.leg > 1 ? `re-route ${attempt.leg - 1}: ` : ''}vendor call #${attempt.attemptNo} on ${attempt.account} (${attempt.provider}): ${attempt.outcome}, ${answer} (${attempt.durationMs} ms)`,
      run: runOf.get(attempt.runId) ?? null,
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
      run: receipt.runId ? (runOf.get(receipt.runId) ?? null) : null,
      evidence: `receipt ${receipt.id}`,
    });
  }
  for (const reroute of reroutesOf(records.attempts, records.receipts)) {
    lines.push({
      at: reroute.at ?? new Date(0),
      source: 'records',
      step: 'receipt',
      what: describeReroute(reroute),
      run: runOf.get(reroute.runId) ?? null,
      evidence: `send_attempt leg ${reroute.leg} of send ${send.id}`,
    });
  }
  if (records.fallback) {
    lines.push({
      at: records.fallback.createdAt,
      source: 'records',
      step: 'status',
      what: `fallback send ${records.fallback.id} started on ${records.fallback.channel}, now ${records.fallback.status}`,
      run: send.runNo,
      evidence: `send ${records.fallback.id} fallback_of`,
    });
  }
  if (records.fallbackOf) {
    lines.push({
      at: send.createdAt,
      source: 'records',
      step: 'api',
      what: `fallback of send ${records.fallbackOf}: started by that send's workflow`,
      run: null,
      evidence: `send ${send.id} fallback_of`,
    });
  }
  for (const run of records.earlierRuns) {
    lines.push({
      at: run.replacedAt,
      source: 'records',
      step: 'status',
      what: `run ${run.runNo} ended ${outcomeOf(run)}; replaced by run ${run.runNo + 1}: ${replacement(run)}`,
      run: run.runNo,
      evidence: `send_run ${run.runId}`,
    });
  }
  if (send.finishedAt) {
    lines.push({
      at: send.finishedAt,
      source: 'records',
      step: 'status',
      what: `final state ${outcomeOf(send)}${send.reasonDetail ? `: ${send.reasonDetail}` : ''}`,
      run: send.runNo,
      evidence: `send ${send.id}`,
    });
  }
  return lines;
}

/** `FAILED (ALL_VENDORS_FAILED)`. */
export function outcomeOf(state: { status: string; reason: string | null }): string {
  return `${state.status}${state.reason ? ` (${state.reason})` : ''}`;
}

/** How an earlier run was replaced, in one phrase. */
export function replacement(run: Pick<RunEvidence, 'replacedHow' | 'requestedBy'>): string {
  return run.replacedHow === 'RETRY'
    ? `retried by ${run.requestedBy ?? 'an operator'}`
    : 'reset from the Temporal UI or CLI (the reason is in the workflow history)';
}
