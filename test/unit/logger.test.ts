import { ApplicationFailure } from '@temporalio/common';
import { createLogger, maskLogObject, type Logger } from '../../src/logger';
import { sdkEntryToPino } from '../../src/worker/runtime';

describe('maskLogObject', () => {
  it('masks receivers and secrets by field name, nested and in arrays', () => {
    expect(
      maskLogObject({
        receiver: '+8613800138000',
        receiversRaw: ['+8613800138000', 'alice@example.com'],
        account: { name: 'sandbox-primary', appKey: 'sandbox-app-key-123', secrets: { appSecret: 'very-secret' } },
        attempts: [{ to: '+14155550123', code: 'OK' }],
        count: 3,
      }),
    ).toEqual({
      receiver: '+86138****8000',
      receiversRaw: ['+86138****8000', 'a***e@example.com'],
      account: { name: 'sandbox-primary', appKey: 'sand****', secrets: '****' },
      attempts: [{ to: '+1415****0123', code: 'OK' }],
      count: 3,
    });
  });
});

describe('the Temporal SDK log entries in the process log', () => {
  function capture(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
    const written: string[] = [];
    const logger = createLogger({ level: 'info', name: 'herald-worker', pretty: false, destination: { write: (line: string) => written.push(line) } });
    return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  it('writes one JSON line per entry at its level, the error under err with its stack, fields masked', () => {
    const { logger, lines } = capture();
    const toPino = sdkEntryToPino(logger);
    const failure = ApplicationFailure.create({ type: 'POWERED_OFF_OR_NO_SIGNAL', message: 'UNDELIVERED POWERED_OFF_OR_NO_SIGNAL', nonRetryable: true });
    toPino({ level: 'WARN', message: 'Workflow failed', timestampNanos: 0n, meta: { workflowId: 'send-1', sdkComponent: 'worker', error: failure, receiver: '+8613800138000' } });
    toPino({ level: 'INFO', message: 'Worker state changed', timestampNanos: 0n, meta: { state: 'RUNNING' } });
    toPino({ level: 'DEBUG', message: 'below the level', timestampNanos: 0n });
    const [failed, changed, ...rest] = lines();
    expect(failed).toMatchObject({ level: 40, msg: 'Workflow failed', name: 'herald-worker', workflowId: 'send-1', sdkComponent: 'worker', receiver: '+86138****8000' });
    expect(failed?.err).toMatchObject({ type: 'ApplicationFailure', message: 'UNDELIVERED POWERED_OFF_OR_NO_SIGNAL', stack: expect.stringContaining('ApplicationFailure: UNDELIVERED') });
    expect(failed).not.toHaveProperty('error');
    expect(changed).toMatchObject({ level: 30, msg: 'Worker state changed', state: 'RUNNING' });
    expect(rest).toEqual([]);
  });

  it('logs the end of a send workflow that failed on purpose (the send did not reach its receiver) at INFO, with its outcome and no stack', () => {
    const { logger, lines } = capture();
    const toPino = sdkEntryToPino(logger);
    // As the entry reaches the main thread from a workflow thread: a plain Error, its failure type lost.
    const cloned = new Error('UNDELIVERED POWERED_OFF_OR_NO_SIGNAL');
    toPino({ level: 'WARN', message: 'Workflow failed', timestampNanos: 0n, meta: { workflowId: 'send-2', workflowType: 'sendMessage', sdkComponent: 'worker', error: cloned } });
    toPino({ level: 'WARN', message: 'Workflow failed', timestampNanos: 0n, meta: { workflowId: 'message-1', workflowType: 'fanOutMessage', sdkComponent: 'worker', error: cloned } });
    toPino({ level: 'WARN', message: 'Workflow failed', timestampNanos: 0n, meta: { workflowId: 'send-3', workflowType: 'sendMessage', sdkComponent: 'worker', error: new Error('Activity task failed') } });
    const [send, fanOut, escaped] = lines();
    expect(send).toMatchObject({ level: 30, workflowId: 'send-2', outcome: 'UNDELIVERED POWERED_OFF_OR_NO_SIGNAL' });
    expect(send).not.toHaveProperty('err');
    // Any other workflow that fails is still a warning, and so is a send workflow that failed for another reason.
    expect(fanOut).toMatchObject({ level: 40, msg: 'Workflow failed', err: { message: 'UNDELIVERED POWERED_OFF_OR_NO_SIGNAL' } });
    expect(escaped).toMatchObject({ level: 40, msg: 'Workflow failed', workflowId: 'send-3', err: { message: 'Activity task failed' } });
  });
});
