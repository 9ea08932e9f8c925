import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { SendOutcome } from '../../src/shared/contract';
import { FINAL_STATUSES } from '../../src/shared/states';
import { runWorkflowBundlePath } from '../support/test-run';

/**
 * Every history recorded from the workflow tests (`npm run test:record-histories`:
 * send-message.test.ts, fan-out-message.test.ts and campaign-run.test.ts, binary protobuf
 * files) is replayed against today's workflow code, bundled as production bundles it
 * (buildWorkflowBundle: what `npm run build` writes to dist/workflow-bundle.js). A change that
 * would break running workflows (reordered steps, a removed activity, a timer more or less)
 * fails here; see docs/versioning.md for what to do then.
 */
const HISTORY_DIR = path.join(__dirname, '..', 'replay', 'histories');
const files = readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.pb')).sort();
const histories = files.map((file) => ({
  workflowId: path.basename(file, '.pb'),
  history: temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORY_DIR, file))),
}));

/** The final state a recorded send ended in: its result, or the outcome its failure carries. */
function finalStatusOf(history: temporal.api.history.v1.IHistory): string | null {
  const last = history.events?.at(-1);
  const payload = last?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]
    ?? last?.workflowExecutionFailedEventAttributes?.failure?.applicationFailureInfo?.details?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<SendOutcome>(payload).status : null;
}

describe('replay of recorded send, fan-out and campaign histories', () => {
  beforeAll(() => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  });

  it('has a recorded history of every way a send ends, and of the fan-out and campaign runs', () => {
    const sends = histories.filter((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name === 'sendMessage');
    expect(new Set(sends.map((h) => finalStatusOf(h.history)))).toEqual(new Set(FINAL_STATUSES));
    // test/workflows/campaign-run.test.ts records these; one ends in continue-as-new.
    expect(files.filter((f) => f.startsWith('campaign-run-'))).toEqual(['campaign-run-pages.pb', 'campaign-run-progress.pb', 'campaign-run-skipped.pb']);
    expect(files.filter((f) => f.startsWith('fan-out-'))).toEqual(['fan-out-continued-first-run.pb', 'fan-out-continued-last-run.pb']);
  });

  it('replays every history deterministically', async () => {
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: runWorkflowBundlePath() }, replayName: 'herald-replay' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
