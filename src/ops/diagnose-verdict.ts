import { describeRoutePlan } from '../routing/route-plan';
import { showInvisible } from '../shared/receivers';
import { RETRYABLE_STATUSES, type SendStatus } from '../shared/states';
import type { AttemptRecord, DiagnoseRecords, RequestRecord, SendRecord } from './diagnose-records';
import { describeReroute, reroutesOf, type RunEvidence } from './send-evidence';
import { outcomeOf, replacement } from './trace-records';

/**
 * Where a message to a receiver stopped, judged from the records alone (pure:
 * no clients, no clock), so every verdict is unit-testable. The route only
 * loads the records.
 */
export const VERDICTS = [
  'NOT_CALLED', 'REJECTED', 'SCHEDULED', 'IN_PROGRESS', 'SUPPRESSED', 'FILTERED', 'DEFERRED', 'CANCELED',
  'VENDOR_FAILED', 'AWAITING_RECEIPT', 'UNDELIVERED', 'NO_RECEIPT', 'DELIVERED',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The troubleshooting path of one send, in order. */
export const STEPS = ['api', 'schedule', 'screening', 'dedup', 'night shield', 'vendor', 'receipt'] as const;
export type Step = (typeof STEPS)[number];

export interface StepOutcome {
  step: Step;
  outcome: 'passed' | 'stopped' | 'waiting' | 'not reached';
  detail: string;
}

export interface SendDiagnosis {
  sendId: string;
  createdAt: Date;
  template: string;
  caller: string;
  team: string;
  status: string;
  reason: string | null;
  verdict: Verdict;
  stoppedAt: Step | null;
  explanation: string;
  nextStep: string;
  steps: StepOutcome[];
  evidence: {
    vendor: string | null;
    vendorMessageId: string | null;
    vendorCode: string | null;
    vendorText: string | null;
    deferredUntil: Date | null;
    sendAt: Date | null;
    collidedWith: { sendId: string; createdAt: Date | null; status: string | null; workflowUrl: string } | null;
    /** Which route rule chose the accounts (or the channel's default route), each with its effective weight and why. */
    route: string | null;
    /** `re-routed after tencent receipt MK:0002 (ROUTE_FAILED) to aliyun-main`, oldest first. */
    reroutes: string[];
    attempts: AttemptRecord[];
    receipts: SendRecord['receipts'];
    /** Runs a reset or retry replaced, oldest first: the send above is the newest run. */
    earlierRuns: RunEvidence[];
    /** A fallback send: the send that started it. */
    fallbackOf: string | null;
    /** The fallback send this one started on another channel, with its state. */
    fallback: { sendId: string; channel: string; status: string; workflowUrl: string } | null;
  };
  /** The run the verdict is about (1, counted up by each reset or retry). */
  runNo: number;
  workflowUrl: string;
}

export interface RejectedRequest {
  at: Date;
  caller: string | null;
  template: string | null;
  status: number;
  errorCode: string;
  /** The receiver exactly as it arrived, invisible characters made visible (`\t`). */
  receiverAsReceived: string[];
  explanation: string;
  nextStep: string;
}

export interface WindowRequest {
  at: Date;
  caller: string | null;
  template: string | null;
  status: number;
  receivers: string[];
}

export interface Diagnosis {
  receiver: string;
  from: Date;
  to: Date;
  /** The verdict of the latest thing that happened to this receiver. */
  verdict: Verdict;
  summary: string;
  sends: SendDiagnosis[];
  rejectedRequests: RejectedRequest[];
  /** Only for NOT_CALLED: the latest requests of the window, receivers masked. */
  windowRequests: WindowRequest[];
}

/** Builds the workflow link of a send (the Temporal UI). */
export type WorkflowLink = (sendId: string) => string;

export function diagnose(records: DiagnoseRecords, workflowLink: WorkflowLink): Diagnosis {
  const sends = records.sends.map((send) => diagnoseSend(send, workflowLink));
  const rejectedRequests = records.requests.filter((r) => r.status >= 400).map(describeRejection);
  const base = { receiver: records.receiver, from: records.from, to: records.to, sends, rejectedRequests };

  const latestSend: SendDiagnosis | undefined = sends[0];
  const latestRejection: RejectedRequest | undefined = rejectedRequests[0];
  if (latestSend && !(latestRejection && latestRejection.at > latestSend.createdAt)) {
    return { ...base, verdict: latestSend.verdict, summary: `${latestSend.explanation} ${latestSend.nextStep}`, windowRequests: [] };
  }
  if (latestRejection) {
    return { ...base, verdict: 'REJECTED', summary: `${latestRejection.explanation} ${latestRejection.nextStep}`, windowRequests: [] };
  }
  return {
    ...base,
    verdict: 'NOT_CALLED',
    summary:
      `No API request mentions ${records.receiver} between ${iso(records.from)} and ${iso(records.to)}: Herald was not called for this receiver. ` +
      'Ask the calling team to check their side (their logs, the receiver they used); the latest requests of the window are listed.',
    windowRequests: records.windowRequests.map((r) => ({ at: r.at, caller: r.caller, template: r.templateRef, status: r.status, receivers: r.receiversMasked })),
  };
}

function describeRejection(request: RequestRecord): RejectedRequest {
  const error = request.error ?? { code: `HTTP_${request.status}`, message: 'the request was refused', invalid: [] };
  const invalid = error.invalid.filter((entry) => request.mentions.includes(entry.raw));
  const shown = (invalid.length > 0 ? invalid.map((e) => e.raw) : request.mentions).map(showInvisible);
  const who = `Request at ${iso(request.at)} from ${request.caller ?? 'an unknown caller'}${request.templateRef ? ` (template ${request.templateRef})` : ''}`;
  const common = {
    at: request.at,
    caller: request.caller,
    template: request.templateRef,
    status: request.status,
    errorCode: error.code,
    receiverAsReceived: shown,
  };
  if (invalid.length > 0) {
    const why = invalid.map((e) => `"${showInvisible(e.raw)}" ${e.reason.replace(/^receiver /, '')}`).join('; ');
    return {
      ...common,
      explanation: `${who} was refused (${error.code}): the receiver as received ${why}. Nothing was sent.`,
      nextStep: 'The caller must fix the receiver text on their side (remove the stray character) and send again.',
    };
  }
  return {
    ...common,
    explanation: `${who} was refused (${error.code}): ${error.message}. Nothing was sent.`,
    nextStep: 'The caller must fix the request and send again.',
  };
}

/** Index in STEPS where the send stopped or waits; STEPS.length when it went all the way. */
function positionOf(send: SendRecord): number {
  switch (send.status) {
    case 'SCHEDULED':
      return STEPS.indexOf('schedule');
    case 'ACCEPTED':
    case 'QUEUED':
    case 'SUPPRESSED':
    case 'FILTERED':
      return STEPS.indexOf('screening');
    case 'DEDUPED':
      return STEPS.indexOf('dedup');
    case 'SHIELDED':
    case 'DEFERRED':
      return STEPS.indexOf('night shield');
    case 'CANCELED':
      if (send.deferredUntil) return STEPS.indexOf('night shield');
      return STEPS.indexOf(send.sendAt ? 'schedule' : 'screening');
    case 'SENDING':
    case 'FAILED':
      return STEPS.indexOf('vendor');
    case 'SENT':
    case 'UNDELIVERED':
    case 'EXPIRED':
      return STEPS.indexOf('receipt');
    default:
      return STEPS.length;
  }
}

function diagnoseSend(send: SendRecord, workflowLink: WorkflowLink): SendDiagnosis {
  const judged = withFallback(send, withRuns(send, judge(send)));
  const position = positionOf(send);
  const waiting = ['ACCEPTED', 'SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING', 'SENT'].includes(send.status);
  const steps = STEPS.map((step, index): StepOutcome => {
    if (index < position) return { step, outcome: 'passed', detail: passedDetail(step, send) };
    if (index === position) return { step, outcome: waiting ? 'waiting' : 'stopped', detail: judged.explanation };
    return { step, outcome: 'not reached', detail: '' };
  });
  const collidedId = send.collidedWith?.id ?? send.collidedWithSendId;
  return {
    sendId: send.id,
    createdAt: send.createdAt,
    template: send.template,
    caller: send.caller,
    team: send.team,
    status: send.status,
    reason: send.reason,
    verdict: judged.verdict,
    stoppedAt: position < STEPS.length ? (STEPS[position] ?? null) : null,
    explanation: judged.explanation,
    nextStep: judged.nextStep,
    steps,
    evidence: {
      vendor: send.provider,
      vendorMessageId: send.vendorMessageId,
      vendorCode: send.vendorCode,
      vendorText: send.vendorText,
      deferredUntil: send.deferredUntil,
      sendAt: send.sendAt,
      collidedWith: collidedId
        ? { sendId: collidedId, createdAt: send.collidedWith?.createdAt ?? null, status: send.collidedWith?.status ?? null, workflowUrl: workflowLink(collidedId) }
        : null,
      route: send.route ? describeRoutePlan(send.route) : null,
      reroutes: reroutesOf(send.attempts, send.receipts).map(describeReroute),
      attempts: send.attempts,
      receipts: send.receipts,
      earlierRuns: send.earlierRuns,
      fallbackOf: send.fallbackOf,
      fallback: send.fallback && { sendId: send.fallback.id, channel: send.fallback.channel, status: send.fallback.status, workflowUrl: workflowLink(send.fallback.id) },
    },
    runNo: send.runNo,
    workflowUrl: workflowLink(send.id),
  };
}

/** The verdict with the send's fallback in it: which send it falls back for, or the fallback it started and how that one stands. */
function withFallback(send: SendRecord, judged: Judged): Judged {
  if (send.fallbackOf) return { ...judged, explanation: `Fallback of send ${send.fallbackOf} (the first send's template names this one as its fallback on another channel): ${judged.explanation}` };
  if (!send.fallback) return judged;
  return {
    ...judged,
    explanation: `${judged.explanation} Its fallback went on ${send.fallback.channel}: send ${send.fallback.id}, now ${send.fallback.status}.`,
    nextStep: `${judged.nextStep} Diagnose the fallback send ${send.fallback.id} too.`,
  };
}

/**
 * The verdict with the send's runs in it: a re-run says which run it is and how the one before
 * ended and was replaced; a send that may be retried says how.
 */
function withRuns(send: SendRecord, judged: Judged): Judged {
  const before = send.earlierRuns.at(-1);
  const explanation = before
    ? `Run ${send.runNo} of this send (run ${before.runNo} ended ${outcomeOf(before)} and was ${replacement(before)} at ${iso(before.replacedAt)}): ${judged.explanation}`
    : judged.explanation;
  const nextStep = RETRYABLE_STATUSES.has(send.status as SendStatus)
    ? `${judged.nextStep} Once the cause is fixed, re-run it: POST /v1/sends/${send.id}/retry (herald send retry ${send.id}).`
    : judged.nextStep;
  return { ...judged, explanation, nextStep };
}

type Judged = { verdict: Verdict; explanation: string; nextStep: string };

function passedDetail(step: Step, send: SendRecord): string {
  switch (step) {
    case 'api':
      return `accepted at ${iso(send.createdAt)} from ${send.caller} (team ${send.team}), template ${send.template}`;
    case 'schedule':
      return send.sendAt ? `scheduled for ${iso(send.sendAt)}, started then` : 'not scheduled: started at once';
    case 'screening':
      return 'not on a suppression list (and whitelisted, when Herald runs in test mode)';
    case 'dedup':
      return send.dedupSkipped ? `check skipped, sending went on: ${send.reasonDetail ?? 'Redis unavailable'}` : 'not a duplicate, under the frequency cap';
    case 'night shield':
      return send.deferredUntil ? `deferred by quiet hours until ${iso(send.deferredUntil)}, then released` : 'outside quiet hours (or not shielded)';
    case 'vendor':
      return `accepted by ${send.provider ?? 'the vendor'} at ${send.sentAt ? iso(send.sentAt) : '?'} (vendor message id ${send.vendorMessageId ?? '?'})${failedAttemptsNote(send.attempts)}${rerouteNote(send)}${routeNote(send)}`;
    case 'receipt':
      return 'delivered';
  }
}

/** ` (re-routed after tencent receipt MK:0002 (ROUTE_FAILED) to aliyun-main)` when a failed receipt sent it again through another account. */
function rerouteNote(send: SendRecord): string {
  const reroutes = reroutesOf(send.attempts, send.receipts).filter((r) => r.runId === send.attempts.at(-1)?.runId);
  return reroutes.length === 0 ? '' : ` (${reroutes.map(describeReroute).join('; ')})`;
}

/** `; route: <which rule chose the accounts, and their weights>` when the route plan is known. */
function routeNote(send: SendRecord): string {
  return send.route ? `; route: ${describeRoutePlan(send.route)}` : '';
}

function failedAttemptsNote(attempts: AttemptRecord[]): string {
  const failed = attempts.filter((a) => a.outcome !== 'ACCEPTED' && a.leg === 1);
  return failed.length === 0 ? '' : ` after ${failed.length} failed attempt(s): ${describeAttempts(failed)}`;
}

function describeAttempts(attempts: AttemptRecord[]): string {
  return attempts.map((a) => `${a.account} (${a.provider}) #${a.attemptNo} ${a.errorClass ?? a.outcome} ${a.vendorCode ?? ''} ${a.vendorText ?? ''}`.trim()).join('; ');
}

function judge(send: SendRecord): Judged {
  const vendor = send.provider ?? 'the vendor';
  const askVendor = `Ask ${vendor} with vendor message id ${send.vendorMessageId ?? '(none)'}.`;
  const vendorSays = `${send.reason ?? 'UNKNOWN'} (vendor code ${send.vendorCode ?? '-'}: ${send.vendorText ?? '-'})`;
  switch (send.status) {
    case 'SCHEDULED':
      return {
        verdict: 'SCHEDULED',
        explanation: `Scheduled for ${send.sendAt ? iso(send.sendAt) : '?'}; nothing happens before then. At that time suppression, dedup and the night shield still apply.`,
        nextStep: `It starts by itself then; POST /v1/sends/${send.id}/cancel drops it before.`,
      };
    case 'SUPPRESSED':
      return {
        verdict: 'SUPPRESSED',
        explanation: `Not sent: the receiver is on a suppression list (${send.reason ?? 'UNKNOWN'}), ${send.reasonDetail ?? ''}. No vendor was called.`,
        nextStep: 'If the receiver opted in again, remove the entry (DELETE /v1/suppressions/<id> for a team entry, /v1/admin/suppressions/<id> for a global one) and send again.',
      };
    case 'FILTERED':
      return {
        verdict: 'FILTERED',
        explanation: 'Not sent: Herald runs in test mode (WHITELIST_ENABLED) and the receiver is not whitelisted (NOT_WHITELISTED). No vendor was called.',
        nextStep: 'Add the receiver to WHITELIST_RECEIVERS and restart the worker, or test with a whitelisted receiver.',
      };
    case 'ACCEPTED':
    case 'QUEUED':
      return {
        verdict: 'IN_PROGRESS',
        explanation: `Accepted at ${iso(send.createdAt)}; its workflow has not got past the queue yet (${send.status}).`,
        nextStep: 'If this lasts, check that the worker runs and Temporal is reachable (the outbox relay starts waiting workflows).',
      };
    case 'DEDUPED':
      return send.reason === 'FREQUENCY_CAP'
        ? {
            verdict: 'FILTERED',
            explanation: `Filtered by the daily frequency cap: this receiver already had its maximum of sends on this channel today${collided(send)}.`,
            nextStep: "Nothing was sent. Wait until tomorrow, or raise the template's daily cap if the limit is wrong.",
          }
        : contentDuplicate(send);
    case 'SHIELDED':
      return {
        verdict: 'FILTERED',
        explanation: "Dropped by the night shield: it arrived in the template's quiet hours and the template's policy is DROP.",
        nextStep: 'Send again outside quiet hours, or set the template to DEFER if such messages must still go out.',
      };
    case 'DEFERRED':
      return {
        verdict: 'DEFERRED',
        explanation: `Held by the night shield until ${send.deferredUntil ? iso(send.deferredUntil) : '?'} (the template's quiet hours).`,
        nextStep: `It goes out then by itself; POST /v1/sends/${send.id}/send-now releases it at once, /cancel drops it.`,
      };
    case 'CANCELED':
      return {
        verdict: 'CANCELED',
        explanation: `Canceled before it was sent (${send.reasonDetail ?? 'canceled'}).`,
        nextStep: 'Ask whoever canceled it (see the detail); send again if it is still wanted.',
      };
    case 'SENDING':
      return {
        verdict: 'IN_PROGRESS',
        explanation: `Being sent to the vendors now${send.attempts.length > 0 ? `; attempts so far: ${describeAttempts(send.attempts)}` : ''}.`,
        nextStep: 'Wait a moment and ask again; the workflow retries and fails over by itself.',
      };
    case 'FAILED':
      return failedVerdict(send);
    case 'SENT':
      return {
        verdict: 'AWAITING_RECEIPT',
        explanation: `${vendor} accepted it at ${send.sentAt ? iso(send.sentAt) : '?'} (vendor message id ${send.vendorMessageId ?? '?'}); no delivery receipt yet.`,
        nextStep: `Receipts usually come within minutes; if none comes, ${askVendor.charAt(0).toLowerCase()}${askVendor.slice(1)}`,
      };
    case 'UNDELIVERED':
      return {
        verdict: 'UNDELIVERED',
        explanation: `${vendor} accepted it${rerouteNote(send)}, but its receipt says UNDELIVERED: ${vendorSays}.`,
        nextStep: askVendor,
      };
    case 'EXPIRED':
      return {
        verdict: 'NO_RECEIPT',
        explanation: `${vendor} accepted it at ${send.sentAt ? iso(send.sentAt) : '?'}${rerouteNote(send)}, but no delivery receipt came within the receipt window.`,
        nextStep: askVendor,
      };
    case 'DELIVERED': {
      const deliveredAt = send.receipts.find((r) => r.status === 'DELIVERED')?.deliveredAt ?? send.finishedAt;
      return {
        verdict: 'DELIVERED',
        explanation: `Delivered to the handset at ${deliveredAt ? iso(deliveredAt) : '?'} (${vendor}, vendor message id ${send.vendorMessageId ?? '?'})${rerouteNote(send)}.`,
        nextStep: "Check the phone's spam filter, storage and signal.",
      };
    }
    default:
      return { verdict: 'IN_PROGRESS', explanation: `The send is ${send.status}.`, nextStep: 'Open the workflow for details.' };
  }
}

function failedVerdict(send: SendRecord): Judged {
  const attempts = send.attempts.length > 0 ? describeAttempts(send.attempts) : 'no enabled account for this channel';
  if (send.reason === 'ALL_VENDORS_FAILED' || send.reason === 'VENDOR_REJECTED') {
    return {
      verdict: 'VENDOR_FAILED',
      explanation: `No vendor accepted it (${send.reason}): ${attempts}${routeNote(send)}.`,
      nextStep: 'Check those accounts at their vendors (credentials, balance, template approval, outages); the codes above say which.',
    };
  }
  return {
    verdict: 'VENDOR_FAILED',
    explanation: `${send.attempts.at(-1)?.account ?? 'The vendor'} refused the receiver: ${send.reason ?? 'UNKNOWN'} (vendor code ${send.vendorCode ?? '-'}: ${send.vendorText ?? '-'}). No other vendor was tried: none would take it. Attempts: ${attempts}.`,
    nextStep: 'Check the number with the user (wrong number, blacklisted or unsubscribed at the carrier or vendor).',
  };
}

/** Final states of a send that no vendor took: it held its dedup slot only while in flight. */
const NOT_SENT = new Set(['FAILED', 'CANCELED', 'SHIELDED']);

function contentDuplicate(send: SendRecord): Judged {
  const other = send.collidedWith;
  if (other && NOT_SENT.has(other.status)) {
    return {
      verdict: 'FILTERED',
      explanation: `Filtered by content dedup: the same content was on its way to this receiver${collided(send)}; that send then ended ${other.status} without reaching the receiver.`,
      nextStep: `Nothing reached the receiver: send again, or retry the earlier send (POST /v1/sends/${other.id}/retry) if it ended FAILED.`,
    };
  }
  return {
    verdict: 'FILTERED',
    explanation: `Filtered by content dedup: the same content went to this receiver shortly before${collided(send)}.`,
    nextStep: 'Nothing was sent again on purpose; diagnose the earlier send, which is the one the receiver got (or did not).',
  };
}

function collided(send: SendRecord): string {
  const other = send.collidedWith;
  if (other) return ` (send ${other.id} at ${iso(other.createdAt)}, now ${other.status})`;
  return send.collidedWithSendId ? ` (send ${send.collidedWithSendId})` : '';
}

function iso(date: Date): string {
  return date.toISOString();
}
