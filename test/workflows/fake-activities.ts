import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Activities } from '../../src/activities';
import type { DedupSlot } from '../../src/activities/dedup';
import { createPrepareSendActivities, type PrepareSteps } from '../../src/activities/prepare-send';
import type { FallbackRequest } from '../../src/activities/fallback-start';
import type { PlannedRoute } from '../../src/activities/routing';
import type { FinalOutcome, StatusChange } from '../../src/activities/send-records';
import type { VendorSendRequest, VendorSendResult } from '../../src/activities/vendor-send';
import { FAILURE_TYPE } from '../../src/shared/failures';
import { finalStateOfReceipt, mayBeRerouted } from '../../src/shared/receipt-outcome';
import type { ErrorClass } from '../../src/shared/states';
import type { RouteCandidate } from '../../src/workflows/route-order';

/** What the fake activities saw, in order. */
export interface ActivityJournal {
  statuses: StatusChange[];
  finals: FinalOutcome[];
  vendorCalls: VendorSendRequest[];
  polls: number;
  /** Fallback starts asked for, with what started them. */
  fallbacks: FallbackRequest[];
  /** Checks of an ambiguous vendor call with the vendor. */
  verifications: number;
  /** How often dedup ran: a screened-out send never reaches it. */
  dedupChecks: number;
}

export const ROUTE: RouteCandidate[] = [
  { accountId: 'acc-a', account: 'account-a', provider: 'vendor-a', weight: 1, priority: 1, circuitOpen: false },
  { accountId: 'acc-b', account: 'account-b', provider: 'vendor-b', weight: 0, priority: 2, circuitOpen: false },
];

/** The slot every passed dedup check of the fakes holds. */
export const DEDUP_SLOT: DedupSlot = { contentKey: 'herald:dedup:content:{r}:tpl-1:hash', capKey: 'herald:dedup:cap:{r}:SMS:2026-01-01' };

export const ACCEPTED_AT = '2026-01-01T00:00:00.000Z';

/** A planned route as the routing step answers it: the candidates, and a plan naming the default route. */
export function plannedRoute(candidates: RouteCandidate[]): PlannedRoute {
  return {
    candidates,
    plan: {
      plannedAt: ACCEPTED_AT,
      rule: null,
      accounts: candidates.map((c) => ({ id: c.accountId, name: c.account, effectiveWeight: c.weight, circuitOpen: c.circuitOpen, reason: 'configured weight' })),
    },
  };
}

/** A vendor acceptance as the fake accounts answer it. */
export function accepted(request: VendorSendRequest, overrides: Partial<VendorSendResult> = {}): VendorSendResult {
  return {
    accountId: request.accountId,
    provider: request.accountId === 'acc-a' ? 'vendor-a' : 'vendor-b',
    vendorMessageId: `vm-${request.sendId}`,
    acceptedAt: ACCEPTED_AT,
    receipt: null,
    ...overrides,
  };
}

export function vendorFailure(errorClass: ErrorClass, reason: string, vendorCode: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FAILURE_TYPE[errorClass],
    message: `${errorClass} ${vendorCode}`,
    nonRetryable: errorClass !== 'RETRYABLE',
    details: [{ reason, vendorCode, vendorText: `${vendorCode} from the fake`, provider: 'fake', accountId: 'fake', calls: 1 }],
  });
}

/**
 * What the real vendor step does with a receipt it holds when the workflow asks (`finalOnReceipt`) and the
 * receipt decides the send: records the final state (here: into the journal) and names its run.
 */
function recordingDecidingReceipt(request: VendorSendRequest, sent: VendorSendResult, journal: ActivityJournal): VendorSendResult {
  const asked = request.finalOnReceipt;
  if (!sent.receipt || !asked || (asked.mayReroute && mayBeRerouted(sent.receipt))) return { ...sent, finalRecordedBy: null };
  journal.finals.push({
    sendId: request.sendId,
    channel: request.channel,
    provider: sent.provider,
    acceptance: { accountId: sent.accountId, vendorMessageId: sent.vendorMessageId, acceptedAt: sent.acceptedAt },
    ...finalStateOfReceipt(sent.receipt),
  });
  return { ...sent, finalRecordedBy: Context.current().info.workflowExecution?.runId ?? null };
}

/** The activities composed of the prepare steps: built from the fakes by the real factory. */
type ComposedActivities = 'screeningDedupNightShield' | 'routeAfterNightShield';

/** What a test may replace: the prepare steps (screening, dedup, routing) and every activity not composed of them. */
export type FakeParts = Omit<PrepareSteps, 'recordState'> & Omit<Activities, ComposedActivities>;

/**
 * Activities that succeed unless overridden; typed against the real factory, so a changed
 * activity breaks them. `screeningDedupNightShield` and `routeAfterNightShield` are the real composition of the
 * (fake or overridden) single steps.
 */
export function fakeActivities(overrides: Partial<FakeParts> = {}): { activities: Activities; journal: ActivityJournal } {
  const journal: ActivityJournal = { statuses: [], finals: [], vendorCalls: [], polls: 0, verifications: 0, fallbacks: [], dedupChecks: 0 };
  const base: FakeParts = {
    async screenReceiver() {
      return { outcome: 'PASS' };
    },
    async checkDedup() {
      return { outcome: 'PASS', slot: DEDUP_SLOT };
    },
    async planRoute() {
      return plannedRoute(ROUTE);
    },
    async sendViaAccount(request) {
      return accepted(request);
    },
    async awaitStoreReachable() {
      return undefined;
    },
    async pollReceipt() {
      return null;
    },
    async verifyAttempt() {
      return { verdict: 'NOT_YET', why: 'the fake vendor shows nothing' };
    },
    async recordState(change) {
      journal.statuses.push(change);
      return true;
    },
    async recordFinalState(outcome) {
      journal.finals.push(outcome);
    },
    async startFallback(request) {
      journal.fallbacks.push(request);
      return { outcome: 'STARTED', sendId: `fallback-of-${request.sendId}`, channel: 'EMAIL' };
    },
    async startSendPage() {
      throw new Error('the send workflow never fans out');
    },
    async openCampaignRun() {
      throw new Error('the send workflow never opens a campaign run');
    },
    async startCampaignPage() {
      throw new Error('the send workflow never starts a campaign page');
    },
    async finishCampaignRun() {
      throw new Error('the send workflow never finishes a campaign run');
    },
  };
  const parts = { ...base, ...overrides };
  const watched: FakeParts = {
    ...parts,
    async sendViaAccount(request) {
      journal.vendorCalls.push(request);
      return recordingDecidingReceipt(request, await parts.sendViaAccount(request), journal);
    },
    async pollReceipt(request) {
      journal.polls += 1;
      return parts.pollReceipt(request);
    },
    async verifyAttempt(request) {
      journal.verifications += 1;
      return parts.verifyAttempt(request);
    },
    async checkDedup(request) {
      journal.dedupChecks += 1;
      return parts.checkDedup(request);
    },
  };
  const { screenReceiver, checkDedup, planRoute, ...activities } = watched;
  return {
    journal,
    activities: { ...activities, ...createPrepareSendActivities({ recordState: activities.recordState, screenReceiver, checkDedup, planRoute }) },
  };
}
