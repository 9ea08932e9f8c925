import type { RoutePlan } from '../routing/route-plan';
import type { AttemptEvidence, ReceiptEvidence, RunEvidence } from './send-evidence';
/**
 * The records diagnose reads, shaped for the verdict: what the loader
 * (diagnose-loader.ts) reads from Postgres and the verdict (diagnose-verdict.ts)
 * judges. Plain data, no clients.
 */

/** One row of the API request log. */
export interface RequestRecord {
  at: Date;
  method: string;
  path: string;
  status: number;
  caller: string | null;
  team: string | null;
  templateRef: string | null;
  messageId: string | null;
  /** The receivers of this request exactly as they arrived that are the diagnosed receiver (full text). */
  mentions: string[];
  /** Every receiver as it arrived, masked: the request's other receivers are never shown in full. */
  receiversMasked: string[];
  /** The `{code, message, details}` the API answered with, when it refused. */
  error: RequestError | null;
}

export interface RequestError {
  code: string;
  message: string;
  /** For INVALID_RECEIVERS: each refused receiver with its raw text and why. */
  invalid: Array<{ raw: string; reason: string }>;
}

export type AttemptRecord = AttemptEvidence;
export type ReceiptRecord = ReceiptEvidence;

/** Another send a dedup collided with. */
export interface CollidedSend {
  id: string;
  createdAt: Date;
  status: string;
}

export interface SendRecord {
  id: string;
  messageId: string;
  createdAt: Date;
  template: string;
  caller: string;
  team: string;
  status: string;
  reason: string | null;
  reasonDetail: string | null;
  provider: string | null;
  vendorMessageId: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  deferredUntil: Date | null;
  /** Scheduled sends: when the caller asked it to start. */
  sendAt: Date | null;
  dedupSkipped: boolean;
  collidedWith: CollidedSend | null;
  collidedWithSendId: string | null;
  sentAt: Date | null;
  finishedAt: Date | null;
  /** The route it was planned with (the rule that chose its accounts); null before routing or for sends older than route plans. */
  route: RoutePlan | null;
  attempts: AttemptRecord[];
  receipts: ReceiptRecord[];
  /** The run the send shows (1, counted up by each reset or retry) and the runs before it, oldest first. */
  runNo: number;
  earlierRuns: RunEvidence[];
  /** A fallback send: the send whose failure or lateness started it. */
  fallbackOf: string | null;
  /** The fallback send this one started on another channel (its template's fallback). */
  fallback: { id: string; channel: string; status: string } | null;
}

/** Everything known about one receiver in one window. */
export interface DiagnoseRecords {
  receiver: string;
  from: Date;
  to: Date;
  /** Requests that mention the receiver, newest first. */
  requests: RequestRecord[];
  /** Sends to the receiver, newest first. */
  sends: SendRecord[];
  /** The latest message requests of the window (any receiver), for "we were not called". */
  windowRequests: RequestRecord[];
}
