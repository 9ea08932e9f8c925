/**
 * The contract between the API, the worker and the workflows: workflow names,
 * signals, queries, search attribute keys, and the input and output types.
 * Workflow-safe: no Node built-ins and no I/O here.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { maskReceiver } from './mask';
import type { AmbiguityPolicy, Channel, MessageType, Reason, ReceiptStatus, SendStatus, ShieldPolicy } from './states';

export const SEND_WORKFLOW = 'sendMessage';

export function sendWorkflowId(sendId: string): string {
  return `send-${sendId}`;
}

/** A large message's fan-out: starts its sends' workflows page by page. */
export const FAN_OUT_WORKFLOW = 'fanOutMessage';

export function fanOutWorkflowId(messageId: string): string {
  return `message-${messageId}`;
}

/** Custom search attributes, registered on the namespace by `npm run dev` and the tests. */
export const searchAttributes = {
  receiver: defineSearchAttributeKey('HeraldReceiver', SearchAttributeType.KEYWORD),
  template: defineSearchAttributeKey('HeraldTemplate', SearchAttributeType.KEYWORD),
  team: defineSearchAttributeKey('HeraldTeam', SearchAttributeType.KEYWORD),
  caller: defineSearchAttributeKey('HeraldCaller', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('HeraldChannel', SearchAttributeType.KEYWORD),
  vendor: defineSearchAttributeKey('HeraldVendor', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('HeraldStatus', SearchAttributeType.KEYWORD),
  deferredUntil: defineSearchAttributeKey('HeraldDeferredUntil', SearchAttributeType.DATETIME),
} as const;

/** Night-shield rule of a template, with config defaults already applied. */
export interface ShieldRule {
  policy: ShieldPolicy;
  quietStart: string; // "HH:mm" local
  quietEnd: string; // "HH:mm" local
  releaseAt: string; // "HH:mm" local
  timeZone: string; // IANA zone
}

/** Dedup rules of a template, with config defaults already applied. */
export interface DedupRule {
  contentWindowSeconds: number; // 0 disables content dedup
  contentMax: number;
  dailyCapMax: number;
}

/** What a send does with a vendor call whose answer never came (AMBIGUOUS): the template's rule, config default applied. */
export interface AmbiguityRule {
  policy: AmbiguityPolicy;
  /** VERIFY: how long to ask the vendor before failing over. */
  verifySeconds: number;
}

export interface ReceiptPolicy {
  windowSeconds: number;
  pollFirstSeconds: number;
  pollMaxSeconds: number;
}

/** Everything the workflow needs to decide; built once from the send and template rows. */
export interface SendInput {
  sendId: string;
  messageId: string;
  receiver: string;
  channel: Channel;
  messageType: MessageType;
  templateId: string;
  templateCode: string;
  teamId: string;
  callerId: string;
  contentHash: string;
  /** Scheduled sends: ISO time to start at; null sends at once. */
  sendAt: string | null;
  /** A VERIFICATION template that may pass the team's own suppression list (never the global one). */
  bypassTeamSuppression: boolean;
  shield: ShieldRule;
  dedup: DedupRule;
  ambiguity: AmbiguityRule;
  receipt: ReceiptPolicy;
  /** How often a failed receipt another vendor may fix (ROUTE_FAILED) sends the message again through the next account of its route. */
  reroutesMax: number;
  /**
   * The template names a fallback on another channel: started when this send ends UNDELIVERED, FAILED or
   * EXPIRED, or (afterSeconds) is not DELIVERED that long after it went to the vendors. Null: none (a
   * fallback send has none of its own).
   */
  fallback: { afterSeconds: number | null } | null;
}

/** What started a fallback send: the first send's final state, or its lateness. */
export type FallbackTrigger = 'UNDELIVERED' | 'FAILED' | 'EXPIRED' | 'NOT_DELIVERED_IN_TIME';

/** A send as the Temporal UI lists its workflow (the workflow's summary) and heads its details: channel, template, receiver masked. */
export function sendSummary(input: Pick<SendInput, 'channel' | 'templateCode' | 'receiver'>): string {
  return `${input.channel} ${input.templateCode} → ${maskReceiver(input.receiver)}`;
}

export interface SendOutcome {
  status: SendStatus;
  reason: Reason | null;
  provider: string | null;
  vendorMessageId: string | null;
}

export interface ReceiptNotice {
  /** The vendor message the receipt is for: a run waits only for its own acceptance's receipt (a reset or retry sends again). */
  vendorMessageId: string;
  status: ReceiptStatus;
  reason: Reason | null;
  vendorCode: string | null;
  vendorText: string | null;
  deliveredAt: string | null; // ISO time
  /**
   * A pushed receipt that decides its send was recorded as the final state where it was stored, by and
   * for this run (src/receipts/final-on-push.ts): the workflow records nothing more. Absent or null: not recorded.
   */
  recordedBy?: string | null;
}

export interface SendProgress {
  status: SendStatus;
  reason: Reason | null;
  deferredUntil: string | null;
  provider: string | null;
  vendorMessageId: string | null;
}

/** What a cancel or send-now update answers: the send's state once the workflow acted on it. */
export interface SendControlAnswer {
  status: SendStatus;
  deferredUntil: string | null;
}

export const receiptSignal = defineSignal<[ReceiptNotice]>('receipt');
/**
 * Cancel a send that still waits (SCHEDULED, QUEUED, DEFERRED). Its validator refuses any other
 * state (`SEND_CONTROL_REFUSED`, the state in the details), so nothing is written to the history
 * then; accepted, it answers once the send is final (CANCELED, or the final state it reached first).
 */
export const cancelUpdate = defineUpdate<SendControlAnswer, [{ by: string }]>('cancel');
/** Release a DEFERRED send now; refused (validator) in any other state. */
export const sendNowUpdate = defineUpdate<SendControlAnswer, [{ by: string }]>('sendNow');
export const progressQuery = defineQuery<SendProgress>('progress');

/** A fan-out run's input; a continued run carries the cursor and the counts so far. */
export interface FanOutInput {
  messageId: string;
  pageSize: number;
  /** Pages one run handles before it continues as new. */
  pagesPerRun: number;
  /** The last send id handled (keyset on send id); null: from the first. */
  after: string | null;
  pages: number;
  started: number;
}

/** One page of a message's sends: the workflows started and where the next page begins. */
export interface FanOutPage {
  /** Sends of the page that were waiting for their start (ACCEPTED or SCHEDULED) and are started now. */
  started: number;
  /** The last send id of the page; null when this was the last page. */
  next: string | null;
}

export interface FanOutProgress {
  messageId: string;
  pages: number;
  started: number;
  after: string | null;
  done: boolean;
}

export const fanOutProgressQuery = defineQuery<FanOutProgress>('fanOutProgress');
