import type { MessageType } from '../shared/states';
import type { RouteCandidate } from '../workflows/route-order';
import type { DedupInput, DedupVerdict } from './dedup';
import type { PlannedRoute, RouteRequest } from './routing';
import type { ScreenRequest, ScreenVerdict } from './screen-activity';
import type { StatusChange } from './send-records';

/** The single steps a send is prepared with: not activities of their own, only parts of `screeningDedupNightShield` and `routeAfterNightShield`. */
export interface PrepareSteps {
  recordState(change: StatusChange): Promise<boolean>;
  screenReceiver(request: ScreenRequest): Promise<ScreenVerdict>;
  checkDedup(input: DedupInput): Promise<DedupVerdict>;
  /** The send's route by its destination, with the effective weights, and its plan (src/activities/routing.ts). */
  planRoute(request: RouteRequest): Promise<PlannedRoute>;
}

/**
 * What the workflow's night shield decided (it is pure and runs in the workflow, on the
 * workflow's clock): only SEND lets the preparation record SENDING and plan the route.
 */
export type ShieldVerdict = { action: 'SEND' } | { action: 'DROP' } | { action: 'DEFER'; until: string };

/** `messageType` routes the send; a request without it (a workflow started before it was passed) reads it from the send's row. */
export type PrepareRequest = ScreenRequest & DedupInput & { shield: ShieldVerdict; messageType?: MessageType };

/** Dedup let the send through: counted (its slot, handed back if no vendor takes it), or skipped (Redis down) and recorded as skipped. */
export type PassedDedup = Exclude<DedupVerdict, { outcome: 'FILTERED' }>;

/**
 * How far the send got, with the verdict of every step that ran: the local activity's
 * marker is the trace of these steps in the history (see `src/ops/trace-history.ts`).
 */
export type PreparedSend =
  /** Canceled through the API before its workflow started (final with no run): nothing to send. */
  | { outcome: 'CANCELED' }
  | { outcome: 'SCREENED_OUT'; screen: Exclude<ScreenVerdict, { outcome: 'PASS' }> }
  | { outcome: 'DEDUPED'; dedup: Extract<DedupVerdict, { outcome: 'FILTERED' }> }
  /** SHIELDED: dropped by the night shield; DEFERRED: recorded, the workflow waits, then calls `routeAfterNightShield`. */
  | { outcome: 'SHIELDED' | 'DEFERRED'; dedup: PassedDedup }
  /** Recorded SENDING; the accounts the send may use, for the workflow to order. */
  | { outcome: 'SENDING'; dedup: PassedDedup; route: RouteCandidate[] };

/**
 * The steps between acceptance and the vendor call as ONE local activity, so a send costs
 * one marker in the history instead of five: record QUEUED → screening (suppression,
 * whitelist) → dedup → the shield's verdict (DEFERRED recorded, or SENDING recorded and the
 * route planned). Every step is idempotent (dedup counts a sendId once), so a retry of the
 * whole activity is harmless.
 */
export function createPrepareSendActivities(steps: PrepareSteps) {
  /** Past the night shield, at once or after the wait: the route planned, then SENDING recorded with its plan (one write). */
  async function routeAfterNightShield(request: RouteRequest): Promise<RouteCandidate[]> {
    const { candidates, plan } = await steps.planRoute(request);
    await steps.recordState({ sendId: request.sendId, status: 'SENDING', routePlan: plan });
    return candidates;
  }

  return {
    routeAfterNightShield,

    async screeningDedupNightShield(request: PrepareRequest): Promise<PreparedSend> {
      const { shield, ...send } = request;
      if (!(await steps.recordState({ sendId: send.sendId, status: 'QUEUED' }))) return { outcome: 'CANCELED' };

      const screen = await steps.screenReceiver({
        sendId: send.sendId,
        receiver: send.receiver,
        channel: send.channel,
        teamId: send.teamId,
        bypassTeamSuppression: send.bypassTeamSuppression,
      });
      if (screen.outcome !== 'PASS') return { outcome: 'SCREENED_OUT', screen };

      const dedup = await steps.checkDedup({
        sendId: send.sendId,
        receiver: send.receiver,
        channel: send.channel,
        templateId: send.templateId,
        contentHash: send.contentHash,
        rule: send.rule,
        timeZone: send.timeZone,
      });
      if (dedup.outcome === 'FILTERED') return { outcome: 'DEDUPED', dedup };

      if (shield.action === 'DROP') return { outcome: 'SHIELDED', dedup };
      if (shield.action === 'DEFER') {
        await steps.recordState({ sendId: send.sendId, status: 'DEFERRED', deferredUntil: shield.until });
        return { outcome: 'DEFERRED', dedup };
      }
      const destination = send.messageType ? { receiver: send.receiver, messageType: send.messageType } : undefined;
      return { outcome: 'SENDING', dedup, route: await routeAfterNightShield({ sendId: send.sendId, channel: send.channel, destination }) };
    },
  };
}
