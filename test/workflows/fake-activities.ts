import { ApplicationFailure } from '@temporalio/activity';
import type { Activities } from '../../src/activities';
import { createPrepareSendActivities } from '../../src/activities/prepare-send';
import type { FinalOutcome, StatusChange } from '../../src/activities/send-records';
import type { VendorSendRequest } from '../../src/activities/vendor-send';
import { FAILURE_TYPE } from '../../src/shared/failures';
import type { ErrorClass } from '../../src/shared/states';
import type { RouteCandidate } from '../../src/workflows/route-order';

/** What the fake activities saw, in order. */
export interface ActivityJournal {
  statuses: StatusChange[];
  finals: FinalOutcome[];
  vendorCalls: VendorSendRequest[];
  polls: number;
  /** How often dedup ran: a screened-out send never reaches it. */
  dedupChecks: number;
}

export const ROUTE: RouteCandidate[] = [
  { accountId: 'acc-a', provider: 'vendor-a', weight: 1, priority: 1, circuitOpen: false },
  { accountId: 'acc-b', provider: 'vendor-b', weight: 0, priority: 2, circuitOpen: false },
];

export function vendorFailure(errorClass: ErrorClass, reason: string, vendorCode: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FAILURE_TYPE[errorClass],
    message: `${errorClass} ${vendorCode}`,
    nonRetryable: errorClass !== 'RETRYABLE',
    details: [{ reason, vendorCode, vendorText: `${vendorCode} from the fake`, provider: 'fake', accountId: 'fake' }],
  });
}

/** The activities composed of others: built from the fakes by the real factory. */
type ComposedActivities = 'prepareSend' | 'startSending';

/**
 * Activities that succeed unless overridden; typed against the real factory, so a changed
 * activity breaks them. `prepareSend` and `startSending` are the real composition of the
 * (fake or overridden) single steps, so a test overriding `checkDedup` sees it in both paths.
 */
export function fakeActivities(overrides: Partial<Omit<Activities, ComposedActivities>> = {}): { activities: Activities; journal: ActivityJournal } {
  const journal: ActivityJournal = { statuses: [], finals: [], vendorCalls: [], polls: 0, dedupChecks: 0 };
  const base: Omit<Activities, ComposedActivities> = {
    async screenReceiver() {
      return { outcome: 'PASS' };
    },
    async checkDedup() {
      return { outcome: 'PASS' };
    },
    async planRoute() {
      return ROUTE;
    },
    async planSendRoute() {
      return ROUTE;
    },
    async sendViaAccount(request) {
      return { accountId: request.accountId, provider: request.accountId === 'acc-a' ? 'vendor-a' : 'vendor-b', vendorMessageId: `vm-${request.sendId}`, receipt: null };
    },
    async pollReceipt() {
      return null;
    },
    async recordStatus(change) {
      journal.statuses.push(change);
      return true;
    },
    async finishSend(outcome) {
      journal.finals.push(outcome);
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
  const activities = { ...base, ...overrides };
  const steps: Omit<Activities, ComposedActivities> = {
    ...activities,
    async sendViaAccount(request) {
      journal.vendorCalls.push(request);
      return activities.sendViaAccount(request);
    },
    async pollReceipt(request) {
      journal.polls += 1;
      return activities.pollReceipt(request);
    },
    async checkDedup(request) {
      journal.dedupChecks += 1;
      return activities.checkDedup(request);
    },
  };
  return { journal, activities: { ...steps, ...createPrepareSendActivities(steps) } };
}
