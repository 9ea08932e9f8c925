import type { DiagnoseRecords, RequestRecord, SendRecord } from '../../src/ops/diagnose-records';
import { diagnose } from '../../src/ops/diagnose-verdict';
import type { RunEvidence } from '../../src/ops/send-evidence';

const link = (sendId: string) => `http://ui/send-${sendId}`;
const RECEIVER = '+8613800138000';

function records(overrides: Partial<DiagnoseRecords>): DiagnoseRecords {
  return { receiver: RECEIVER, from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z'), requests: [], sends: [], windowRequests: [], ...overrides };
}

function send(overrides: Partial<SendRecord>): SendRecord {
  return {
    id: 's1', messageId: 'm1', createdAt: new Date('2026-11-20T10:00:00Z'), template: 'welcome_sms', caller: 'shop', team: 'demo',
    status: 'DELIVERED', reason: null, reasonDetail: null, provider: 'sandbox', vendorMessageId: 'sbx-1', vendorCode: null, vendorText: null,
    deferredUntil: null, sendAt: null, dedupSkipped: false, collidedWith: null, collidedWithSendId: null, sentAt: new Date('2026-11-20T10:00:01Z'),
    finishedAt: new Date('2026-11-20T10:00:05Z'), route: null, attempts: [], receipts: [], runNo: 1, earlierRuns: [], fallbackOf: null, fallback: null, ...overrides,
  };
}

function request(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    at: new Date('2026-11-21T10:00:00Z'), method: 'POST', path: '/v1/messages', status: 400, caller: 'shop', team: 'demo', templateRef: 'welcome_sms',
    messageId: null, mentions: [RECEIVER], receiversMasked: ['+86138****8000'], error: { code: 'MISSING_VARIABLES', message: 'missing template variables: order', invalid: [] },
    ...overrides,
  };
}

describe('diagnose (pure verdict)', () => {
  it('says which route rule chose the accounts, with each effective weight and why, at the vendor step', () => {
    const route = {
      plannedAt: '2026-11-20T10:00:00.500Z',
      rule: { id: 'rule-86', description: 'SMS to +86, any message type' },
      accounts: [
        { id: 'a1', name: 'tencent-main', effectiveWeight: 1, circuitOpen: false, reason: 'full weight' },
        { id: 'a2', name: 'aliyun-main', effectiveWeight: 0.063, circuitOpen: true, reason: 'moved away: delivered 50% against 100% on tencent-main: weight × 0.063' },
      ],
    };
    const [judged] = diagnose(records({ sends: [send({ route })] }), link).sends;
    const expected = 'route rule rule-86 (SMS to +86, any message type): tencent-main (weight 1: full weight); aliyun-main (weight 0.063, circuit open: tried last: moved away: delivered 50% against 100% on tencent-main: weight × 0.063)';
    expect(judged.evidence.route).toBe(expected);
    expect(judged.steps.find((step) => step.step === 'vendor')?.detail).toContain(`; route: ${expected}`);

    const defaultRoute = diagnose(records({ sends: [send({ route: { ...route, rule: null } })] }), link).sends[0];
    expect(defaultRoute.evidence.route).toMatch(/^no route rule matched: the channel's default route: tencent-main/);
    expect(diagnose(records({ sends: [send({})] }), link).sends[0].evidence.route).toBeNull();
  });

  it('a refusal after the last send decides the verdict, and says why the request was refused', () => {
    const answer = diagnose(records({ sends: [send({})], requests: [request({})] }), link);
    expect(answer.verdict).toBe('REJECTED');
    expect(answer.summary).toContain('missing template variables: order');
    expect(answer.sends[0].verdict).toBe('DELIVERED');
  });

  it('a refused receiver shows its invisible character escaped', () => {
    const raw = '\u200b13800138000';
    const answer = diagnose(records({ requests: [request({ mentions: [raw], error: { code: 'INVALID_RECEIVERS', message: '1 of 1 receivers are invalid', invalid: [{ raw, reason: 'receiver contains the invisible character U+200B at position 1' }] } })] }), link);
    expect(answer.rejectedRequests[0].receiverAsReceived).toEqual(['\\u200B13800138000']);
    expect(answer.summary).toContain('contains the invisible character U+200B at position 1');
  });

  it('a receiver-invalid vendor answer says no other vendor was tried, naming the account', () => {
    const failed = send({
      status: 'FAILED', reason: 'BLACKLISTED', provider: null, vendorMessageId: null, vendorCode: 'E_BLACKLIST', vendorText: 'number blacklisted',
      attempts: [{ id: 'attempt-1', durationMs: 120, account: 'tencent-main', provider: 'tencent', attemptNo: 1, leg: 1, outcome: 'FAILED', errorClass: 'RECEIVER_INVALID', reason: 'BLACKLISTED', vendorCode: 'E_BLACKLIST', vendorText: 'number blacklisted', vendorMessageId: null, startedAt: new Date(), runId: 'run-1' }],
    });
    const [judged] = diagnose(records({ sends: [failed] }), link).sends;
    expect(judged).toMatchObject({ verdict: 'VENDOR_FAILED', stoppedAt: 'vendor' });
    expect(judged.explanation).toContain('tencent-main refused the receiver: BLACKLISTED (vendor code E_BLACKLIST');
  });

  it('a re-routed send says after which vendor receipt, to which account', () => {
    const at = new Date('2026-12-03T09:00:00Z');
    const rerouted = send({
      status: 'DELIVERED', reason: null, provider: 'aliyun', vendorMessageId: 'biz-2',
      attempts: [
        { id: 'a1', durationMs: 40, account: 'tencent-main', provider: 'tencent', attemptNo: 1, leg: 1, outcome: 'ACCEPTED', errorClass: null, reason: null, vendorCode: 'Ok', vendorText: 'ok', vendorMessageId: 'sn-1', startedAt: at, runId: 'run-1' },
        { id: 'a2', durationMs: 40, account: 'aliyun-main', provider: 'aliyun', attemptNo: 1, leg: 2, outcome: 'ACCEPTED', errorClass: null, reason: null, vendorCode: 'OK', vendorText: 'OK', vendorMessageId: 'biz-2', startedAt: at, runId: 'run-1' },
      ],
      receipts: [
        { id: 'r1', vendorMessageId: 'sn-1', status: 'UNDELIVERED', reason: 'ROUTE_FAILED', vendorCode: 'NP:1243', vendorText: 'ported', deliveredAt: null, receivedAt: at, source: 'PUSH', runId: 'run-1' },
        { id: 'r2', vendorMessageId: 'biz-2', status: 'DELIVERED', reason: null, vendorCode: 'DELIVERED', vendorText: 'ok', deliveredAt: at, receivedAt: at, source: 'PUSH', runId: 'run-1' },
      ],
    });
    const [judged] = diagnose(records({ sends: [rerouted] }), link).sends;
    expect(judged.verdict).toBe('DELIVERED');
    expect(judged.explanation).toContain('re-routed after tencent receipt NP:1243 (ROUTE_FAILED) to aliyun-main');
    expect(judged.evidence.reroutes).toEqual(['re-routed after tencent receipt NP:1243 (ROUTE_FAILED) to aliyun-main']);
  });

  it('a frequency cap names the last counted send', () => {
    const capped = send({ status: 'DEDUPED', reason: 'FREQUENCY_CAP', collidedWith: { id: 's0', createdAt: new Date('2026-11-20T09:00:00Z'), status: 'DELIVERED' }, collidedWithSendId: 's0' });
    const [judged] = diagnose(records({ sends: [capped] }), link).sends;
    expect(judged.explanation).toContain('daily frequency cap');
    expect(judged.evidence.collidedWith).toEqual({ sendId: 's0', createdAt: new Date('2026-11-20T09:00:00Z'), status: 'DELIVERED', workflowUrl: 'http://ui/send-s0' });
  });

  it('no receipt in the window: ask the vendor with its message id', () => {
    const answer = diagnose(records({ sends: [send({ status: 'EXPIRED', reason: 'NO_RECEIPT' })] }), link);
    expect(answer.verdict).toBe('NO_RECEIPT');
    expect(answer.summary).toContain('Ask sandbox with vendor message id sbx-1.');
  });

  it('canceled while deferred stops at the night shield, with who canceled it', () => {
    const canceled = send({ status: 'CANCELED', reason: 'CANCELED', reasonDetail: 'canceled by api', deferredUntil: new Date('2026-11-21T01:00:00Z') });
    const [judged] = diagnose(records({ sends: [canceled] }), link).sends;
    expect(judged).toMatchObject({ verdict: 'CANCELED', stoppedAt: 'night shield' });
    expect(judged.steps.map((s) => s.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'stopped', 'not reached', 'not reached']);
    expect(judged.explanation).toContain('canceled by api');
  });

  it('a scheduled send waits at the schedule step and says when it starts and how to cancel it', () => {
    const scheduled = send({ status: 'SCHEDULED', sendAt: new Date('2026-11-24T02:00:00Z'), provider: null, vendorMessageId: null, sentAt: null, finishedAt: null });
    const answer = diagnose(records({ sends: [scheduled] }), link);
    expect(answer.verdict).toBe('SCHEDULED');
    expect(answer.sends[0]).toMatchObject({ stoppedAt: 'schedule', evidence: { sendAt: new Date('2026-11-24T02:00:00Z') } });
    expect(answer.sends[0].steps.map((s) => s.outcome)).toEqual(['passed', 'waiting', 'not reached', 'not reached', 'not reached', 'not reached', 'not reached']);
    expect(answer.summary).toContain('Scheduled for 2026-11-24T02:00:00.000Z');
    expect(answer.summary).toContain('POST /v1/sends/s1/cancel');
  });

  it('a scheduled send canceled before its time stops at the schedule step', () => {
    const canceled = send({ status: 'CANCELED', reason: 'CANCELED', reasonDetail: 'canceled by api before its scheduled time', sendAt: new Date('2026-11-24T02:00:00Z') });
    const [judged] = diagnose(records({ sends: [canceled] }), link).sends;
    expect(judged).toMatchObject({ verdict: 'CANCELED', stoppedAt: 'schedule' });
  });

  it('a suppressed send stops at screening with the list entry as the reason', () => {
    const suppressed = send({ status: 'SUPPRESSED', reason: 'UNSUBSCRIBED', reasonDetail: "on the team's suppression list since 2026-11-20T09:00:00.000Z (UNSUBSCRIBED, source RECEIPT)", provider: null });
    const answer = diagnose(records({ sends: [suppressed] }), link);
    expect(answer.verdict).toBe('SUPPRESSED');
    expect(answer.sends[0].stoppedAt).toBe('screening');
    expect(answer.summary).toContain("on the team's suppression list");
    expect(answer.summary).toContain('DELETE /v1/suppressions/<id>');
  });

  it('a receiver off the test whitelist is FILTERED at screening and names the setting', () => {
    const answer = diagnose(records({ sends: [send({ status: 'FILTERED', reason: 'NOT_WHITELISTED', provider: null })] }), link);
    expect(answer.verdict).toBe('FILTERED');
    expect(answer.sends[0].stoppedAt).toBe('screening');
    expect(answer.summary).toContain('WHITELIST_RECEIVERS');
  });

  describe('runs and retries', () => {
    const failedRun: RunEvidence = {
      runId: 'run-1', runNo: 1, status: 'FAILED', reason: 'ALL_VENDORS_FAILED', reasonDetail: 'sandbox-primary: VENDOR_REJECTED INSUFFICIENT_BALANCE',
      vendor: null, account: null, vendorMessageId: null, sentAt: null, finishedAt: new Date('2026-11-20T10:00:02Z'),
      replacedHow: 'RETRY', replacedByRunId: 'run-2', requestedBy: 'api-key k1', replacedAt: new Date('2026-11-20T11:00:00Z'),
    };

    it('a re-run says which run it is and how the one before ended and was replaced', () => {
      const [judged] = diagnose(records({ sends: [send({ runNo: 2, earlierRuns: [failedRun] })] }), link).sends;
      expect(judged).toMatchObject({ verdict: 'DELIVERED', runNo: 2, evidence: { earlierRuns: [failedRun] } });
      expect(judged.explanation).toMatch(/^Run 2 of this send \(run 1 ended FAILED \(ALL_VENDORS_FAILED\) and was retried by api-key k1 at 2026-11-20T11:00:00.000Z\): Delivered/);
      const reset = diagnose(records({ sends: [send({ runNo: 2, earlierRuns: [{ ...failedRun, replacedHow: 'RESET', requestedBy: null }] })] }), link).sends[0];
      expect(reset.explanation).toContain('and was reset from the Temporal UI or CLI');
    });

    it('a send that did not reach the receiver names the retry as its next step; a decision does not', () => {
      for (const status of ['FAILED', 'UNDELIVERED', 'EXPIRED']) {
        const [judged] = diagnose(records({ sends: [send({ status, reason: 'UNKNOWN' })] }), link).sends;
        expect(judged.nextStep).toContain('re-run it: POST /v1/sends/s1/retry (herald send retry s1)');
      }
      const [canceled] = diagnose(records({ sends: [send({ status: 'CANCELED', reason: 'CANCELED' })] }), link).sends;
      expect(canceled.nextStep).not.toContain('/retry');
    });

    it('a content duplicate of a send that then failed says nothing reached the receiver', () => {
      const deduped = send({ status: 'DEDUPED', reason: 'CONTENT_DUPLICATE', collidedWith: { id: 's0', createdAt: new Date('2026-11-20T09:59:00Z'), status: 'FAILED' }, collidedWithSendId: 's0' });
      const [judged] = diagnose(records({ sends: [deduped] }), link).sends;
      expect(judged.explanation).toContain('that send then ended FAILED without reaching the receiver');
      expect(judged.nextStep).toContain('POST /v1/sends/s0/retry');
    });
  });
});
