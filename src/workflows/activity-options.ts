import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '../shared/failures';

/** Short, idempotent steps against our own Postgres and Redis. */
export const QUICK_STEP = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const satisfies LocalActivityOptions;

/**
 * One vendor call. Retryable failures (timeouts, 5xx, 429) retry the same
 * account a bounded number of times; the workflow then fails over.
 */
export const VENDOR_CALL = {
  startToCloseTimeout: '45 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURE_TYPES,
  },
} as const satisfies ActivityOptions;

/**
 * Asking a vendor about a call whose answer never came (its status query by Herald's reference). A
 * failed query is an answer too ("cannot tell yet"), so only Herald's own errors retry, briefly.
 */
export const VERIFY_CALL = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 3 },
} as const satisfies ActivityOptions;

/**
 * Waiting for Herald's own Postgres after a vendor send was held for it. Temporal retries the
 * check with backoff (doubling to a cap, no end): those retries write no history events, so a
 * Postgres outage of any length costs the send's history the same few events.
 */
export const STORE_WAIT = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const satisfies ActivityOptions;

/** Asking for a receipt: a miss is an answer, so only real errors retry, and not for long. */
export const RECEIPT_POLL = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
} as const satisfies ActivityOptions;

/** Starting a fallback send: a row, its outbox row and a workflow start, each idempotent; retried until it is done. */
export const FALLBACK_START = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const satisfies ActivityOptions;

/**
 * One page of sends started: a large message's fan-out page, or a campaign
 * run's page (render, insert, start). Every step is idempotent, so it retries
 * until it succeeds; a page that cannot start while Temporal is down waits, it
 * is never skipped. The page heartbeats as its starts go out: a worker that
 * died mid-page is noticed within the heartbeat timeout, not the 5 minutes.
 */
export const SEND_PAGE = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const satisfies ActivityOptions;
