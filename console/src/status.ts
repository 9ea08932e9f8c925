/** The colour family of a send state, verdict or outcome: what ops scan a table for. */
export type Tone = 'good' | 'warn' | 'bad' | 'muted' | 'info';

const TONES: Record<string, Tone> = {
  DELIVERED: 'good',
  ACCEPTED: 'info',
  QUEUED: 'info',
  SCHEDULED: 'info',
  SENDING: 'info',
  SENT: 'info',
  IN_PROGRESS: 'info',
  AWAITING_RECEIPT: 'info',
  DEFERRED: 'warn',
  NO_RECEIPT: 'warn',
  EXPIRED: 'warn',
  PENDING_APPROVAL: 'warn',
  PAUSED: 'warn',
  RUNNING: 'info',
  UPLOADING: 'info',
  FAILED: 'bad',
  UNDELIVERED: 'bad',
  VENDOR_FAILED: 'bad',
  REJECTED: 'bad',
  OPEN: 'bad',
  DEGRADED: 'warn',
  PINNED: 'info',
  DISABLED: 'muted',
  DEDUPED: 'muted',
  FILTERED: 'muted',
  SUPPRESSED: 'muted',
  SHIELDED: 'muted',
  CANCELED: 'muted',
  NOT_CALLED: 'muted',
  DELETED: 'muted',
  ACTIVE: 'good',
  READY: 'good',
  FINISHED: 'good',
  CLOSED: 'good',
  NORMAL: 'good',
  passed: 'good',
  stopped: 'bad',
  waiting: 'warn',
  'not reached': 'muted',
};

export function toneOf(value: string): Tone {
  return TONES[value] ?? 'muted';
}

/** Send states in the order a send moves through them, for counts and charts. */
export const SEND_STATE_ORDER = [
  'ACCEPTED', 'SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING', 'SENT', 'DELIVERED', 'UNDELIVERED', 'EXPIRED', 'FAILED', 'DEDUPED', 'SHIELDED', 'SUPPRESSED', 'FILTERED', 'CANCELED',
] as const;

/** The states a retry may be asked for (the retry route's contract). */
export const RETRYABLE_STATES: ReadonlySet<string> = new Set(['FAILED', 'EXPIRED', 'UNDELIVERED']);
