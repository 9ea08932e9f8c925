import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FallbackTrigger, SendInput } from '../shared/contract';
import type { SendStatus } from '../shared/states';
import { FALLBACK_START } from './activity-options';
import type { StepReport } from './failover';
import { STEP } from './step-summaries';

const { startFallback } = proxyActivities<Activities>(FALLBACK_START);

/** The final states that start a fallback: the receiver did not get the message. */
const FALLBACK_STATES: ReadonlySet<SendStatus> = new Set<SendStatus>(['UNDELIVERED', 'FAILED', 'EXPIRED']);

/** A send's fallback on another channel: armed when the send goes to the vendors, settled when it ends. */
export interface Fallback {
  /** The send went to the vendors: with `afterSeconds`, the fallback starts if no DELIVERED comes within that time. */
  arm(): void;
  /** The send ends in `status`: UNDELIVERED, FAILED or EXPIRED start the fallback (once); any end stops the wait. */
  settle(status: SendStatus): Promise<void>;
}

const NONE: Fallback = { arm: () => undefined, settle: () => Promise.resolve() };

/**
 * The fallback of a send whose template names one (input.fallback): one activity starts it, at most
 * once, as its own send and workflow (src/activities/fallback-start.ts). The wait for lateness is a
 * timer in its own scope, cancelled when the send ends first.
 */
export function fallbackFor(input: SendInput, report: StepReport): Fallback {
  const rule = input.fallback;
  if (!rule) return NONE;
  const lateness = new CancellationScope();
  let started: Promise<void> | null = null;

  function start(trigger: FallbackTrigger): Promise<void> {
    started ??= (async () => {
      const summary = STEP.fallbackStart(trigger);
      report(summary);
      await startFallback.executeWithOptions({ summary }, [{ sendId: input.sendId, trigger }]);
    })();
    return started;
  }

  return {
    arm() {
      if (rule.afterSeconds === null) return;
      const ms = rule.afterSeconds * 1000;
      lateness.run(() => sleep(ms, { summary: STEP.fallbackWait(ms) })).then(
        () => start('NOT_DELIVERED_IN_TIME'),
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
    },
    async settle(status) {
      lateness.cancel();
      if (FALLBACK_STATES.has(status)) await start(status as FallbackTrigger);
      else if (started) await started;
    },
  };
}
