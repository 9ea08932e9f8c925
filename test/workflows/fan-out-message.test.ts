import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAN_OUT_PAGE_INCOMPLETE, type FanOutPageRequest } from '../../src/activities/fan-out-page';
import { FAN_OUT_WORKFLOW, fanOutProgressQuery, fanOutWorkflowId, type FanOutInput, type FanOutPage, type FanOutProgress } from '../../src/shared/contract';
import type { fanOutMessage } from '../../src/workflows';
import { startWorkflowTestEnvironment } from '../support/temporal';
import { fakeActivities } from './fake-activities';

const HISTORY_DIR = path.join(__dirname, '..', 'replay', 'histories');

/**
 * A message's sends as the fake page activity sees them: ids in order, some
 * already started before the fan-out ran (a page must skip them).
 */
function fakeMessage(sendCount: number, alreadyStarted: number[] = []) {
  const ids = Array.from({ length: sendCount }, (_, i) => `send-${String(i).padStart(4, '0')}`);
  const started = new Set(alreadyStarted.map((i) => ids[i]));
  const startCounts = new Map<string, number>();
  const requests: FanOutPageRequest[] = [];
  async function startSendPage(request: FanOutPageRequest): Promise<FanOutPage> {
    requests.push(request);
    const page = ids.filter((id) => request.after === null || id > request.after).slice(0, request.pageSize);
    const waiting = page.filter((id) => !started.has(id));
    for (const id of waiting) {
      started.add(id);
      startCounts.set(id, (startCounts.get(id) ?? 0) + 1);
    }
    return { started: waiting.length, next: page.length < request.pageSize ? null : (page.at(-1) ?? null) };
  }
  return { ids, startCounts, requests, startSendPage };
}

function fanOutInput(overrides: Partial<FanOutInput> = {}): FanOutInput {
  return { messageId: randomUUID(), pageSize: 5, pagesPerRun: 100, after: null, pages: 0, started: 0, ...overrides };
}

describe('fanOutMessage workflow (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    ({ env, bundle } = await startWorkflowTestEnvironment());
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  async function run(startSendPage: (request: FanOutPageRequest) => Promise<FanOutPage>, input: FanOutInput, record?: string) {
    const taskQueue = `fan-out-${randomUUID()}`;
    const { activities } = fakeActivities({ startSendPage });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof fanOutMessage>(FAN_OUT_WORKFLOW, { taskQueue, workflowId: fanOutWorkflowId(input.messageId), args: [input] });
      const result = await handle.result();
      const firstRun = env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
      const firstHistory = await firstRun.fetchHistory();
      const lastHistory = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
      if (process.env.RECORD_HISTORIES && record) {
        writeFileSync(path.join(HISTORY_DIR, `${record}-first-run.pb`), temporal.api.history.v1.History.encode(firstHistory).finish());
        writeFileSync(path.join(HISTORY_DIR, `${record}-last-run.pb`), temporal.api.history.v1.History.encode(lastHistory).finish());
      }
      const continuedAsNew = (firstHistory.events ?? []).some((e) => e.workflowExecutionContinuedAsNewEventAttributes);
      return { result, continuedAsNew, lastRunEvents: lastHistory.events?.length ?? 0 };
    });
  }

  it('pages through every send, skips the ones started before, and ends when a page is short', async () => {
    const message = fakeMessage(23, [0, 7, 22]);
    const input = fanOutInput();
    const { result, continuedAsNew } = await run(message.startSendPage, input);
    expect(result).toEqual({ messageId: input.messageId, pages: 5, started: 20, after: message.ids[19], done: true } satisfies FanOutProgress);
    expect(continuedAsNew).toBe(false);
    // Every send not started before is started exactly once; the pages follow each other by the cursor.
    expect([...message.startCounts.values()].every((n) => n === 1)).toBe(true);
    expect(message.startCounts.size).toBe(20);
    expect(message.requests.map((r) => r.after)).toEqual([null, message.ids[4], message.ids[9], message.ids[14], message.ids[19]]);
  });

  it('asks once more after an exactly full last page, then ends', async () => {
    const message = fakeMessage(10);
    const { result } = await run(message.startSendPage, fanOutInput());
    expect(result).toMatchObject({ pages: 3, started: 10, done: true });
  });

  it('continues as new after pagesPerRun pages, carrying the cursor and the counts', async () => {
    const message = fakeMessage(23);
    const { result, continuedAsNew, lastRunEvents } = await run(message.startSendPage, fanOutInput({ pagesPerRun: 2 }), 'fan-out-continued');
    expect(result).toMatchObject({ pages: 5, started: 23, done: true });
    expect(continuedAsNew).toBe(true);
    expect(message.startCounts.size).toBe(23);
    expect([...message.startCounts.values()].every((n) => n === 1)).toBe(true);
    // The third run did one page: its history is one activity and its workflow tasks, not the whole message.
    expect(lastRunEvents).toBeLessThan(20);
  });

  it('retries a page whose starts failed; the retry starts only what is left', async () => {
    const message = fakeMessage(12);
    let failures = 0;
    const result = await run(async (request) => {
      if (request.after === message.ids[4] && failures === 0) {
        failures += 1;
        throw ApplicationFailure.create({ type: FAN_OUT_PAGE_INCOMPLETE, message: 'Temporal unreachable' });
      }
      return message.startSendPage(request);
    }, fanOutInput());
    expect(failures).toBe(1);
    expect(result.result).toMatchObject({ pages: 3, started: 12, done: true });
    expect([...message.startCounts.values()].every((n) => n === 1)).toBe(true);
  });

  it('answers the progress query while a page is under way', async () => {
    const message = fakeMessage(12);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let secondPageAsked: () => void = () => undefined;
    const secondPage = new Promise<void>((resolve) => {
      secondPageAsked = resolve;
    });
    const input = fanOutInput();
    const taskQueue = `fan-out-${randomUUID()}`;
    const { activities } = fakeActivities({
      async startSendPage(request) {
        if (request.after !== null) {
          secondPageAsked();
          await held;
        }
        return message.startSendPage(request);
      },
    });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof fanOutMessage>(FAN_OUT_WORKFLOW, { taskQueue, workflowId: fanOutWorkflowId(input.messageId), args: [input] });
      await secondPage;
      expect(await handle.query(fanOutProgressQuery)).toEqual({ messageId: input.messageId, pages: 1, started: 5, after: message.ids[4], done: false });
      release();
      expect(await handle.result()).toMatchObject({ pages: 3, started: 12, done: true });
      expect(await handle.query(fanOutProgressQuery)).toMatchObject({ done: true });
    });
  });
});
