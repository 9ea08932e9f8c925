/**
 * The names of a send's steps in its workflow history, in the words of the design: the
 * summary of every activity, local activity and timer, so the Temporal UI's timeline reads
 * as the trace (screening, dedup, night shield until 09:00 Asia/Shanghai, vendor <account>
 * attempt n, verify <account> attempt n with the vendor, receipt poll n). Pure, so tests and the trace read the same words.
 */
import { DateTime } from 'luxon';
import type { FallbackTrigger } from '../shared/contract';
import type { Reason, SendStatus } from '../shared/states';
import type { ShieldDecision } from './night-shield';

/** `09:00 Asia/Shanghai`: a local time of day in its zone. */
function localClock(at: Date, zone: string): string {
  return `${DateTime.fromJSDate(at, { zone }).toFormat('HH:mm')} ${zone}`;
}

/** `30 s`, `4 min`, `2 h`. */
export function formatWait(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** Where a final state decided by a receipt was written outside the workflow. */
export type RecordedWith = 'ACCEPTANCE' | 'PUSH';

/** The words for where it was written, in the current details and the trace. */
export const RECORDED_WHERE: Record<RecordedWith, string> = {
  ACCEPTANCE: 'by the vendor step with the acceptance',
  PUSH: 'where the pushed receipt was stored',
};

function recordStep(status: SendStatus, reason: Reason | null = null): string {
  return `record ${status}${reason ? ` ${reason}` : ''}`;
}

export const STEP = {
  scheduledWait: (sendAt: Date, zone: string) => `scheduled wait until ${DateTime.fromJSDate(sendAt, { zone }).toFormat('yyyy-MM-dd')} ${localClock(sendAt, zone)}`,
  /** The one local activity before the vendor: screening, dedup and the night shield's verdict (decided in the workflow). */
  preparation: (shield: ShieldDecision, zone: string) => `screening, dedup, night shield: ${shieldWords(shield, zone)}`,
  nightShield: (until: Date, zone: string) => `night shield until ${localClock(until, zone)}`,
  routeAfterShield: 'night shield over: route planned',
  /** `vendor tencent-main attempt 1`; on a re-route leg `re-route 1: vendor aliyun-main attempt 1`. */
  vendorAttempt: (account: string, attempt: number, leg = 1) => `${leg > 1 ? `re-route ${leg - 1}: ` : ''}vendor ${account} attempt ${attempt}`,
  /** A failed receipt another vendor may fix sends the message again through the next account. */
  reroute: (reroute: number, provider: string, vendorCode: string | null, account: string) => `re-route ${reroute} after ${provider} receipt ${vendorCode ?? 'UNKNOWN'}: next ${account}`,
  /** A call whose answer never came (AMBIGUOUS): Herald asks the vendor whether it took it. */
  verifyAttempt: (account: string, attempt: number, check: number) => `verify ${account} attempt ${attempt} with the vendor${check > 1 ? ` (check ${check})` : ''}`,
  verifyWait: (account: string, attempt: number, ms: number) => `verify ${account} attempt ${attempt}: next check in ${formatWait(ms)}`,
  /** No account took the send, but these vendors may have it: asked again before the send fails. */
  lateVerify: (account: string, attempt: number, check: number) => `verify ${account} attempt ${attempt} with the vendor before failing (late check ${check})`,
  lateVerifyWait: (accounts: string[], ms: number) => `no vendor confirmed; ${accounts.join(', ')} may have it: next check in ${formatWait(ms)}`,
  rateLimitHold: (account: string, pauseMs: number) => `vendor ${account} held: over its rate limit, next try in ${formatWait(pauseMs)}`,
  storeHold: (account: string) => `vendor ${account} held: waiting for Herald's database`,
  receiptWait: (poll: number, ms: number) => `receipt wait ${formatWait(ms)}, then receipt poll ${poll}`,
  receiptPoll: (poll: number) => `receipt poll ${poll}`,
  /** The wait after which a send not yet DELIVERED starts its fallback. */
  fallbackWait: (ms: number) => `fallback unless delivered within ${formatWait(ms)}`,
  fallbackStart: (trigger: FallbackTrigger) => `fallback send started: ${trigger === 'NOT_DELIVERED_IN_TIME' ? 'not delivered in time' : trigger}`,
  record: recordStep,
  /** The final state written outside the workflow (no step of its own): by the vendor step with its acceptance, or where the pushed receipt was stored. */
  recordedWith: (status: SendStatus, reason: Reason | null, recordedWith: RecordedWith) => `${recordStep(status, reason)}: written ${RECORDED_WHERE[recordedWith]}`,
} as const;

function shieldWords(shield: ShieldDecision, zone: string): string {
  if (shield.action === 'DEFER') return `defer until ${localClock(shield.until, zone)}`;
  return shield.action === 'DROP' ? 'drop (quiet hours)' : 'send now';
}
