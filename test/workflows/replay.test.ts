import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { runWorkflowBundlePath } from '../support/test-run';

/**
 * Every history recorded from the workflow tests (`npm run test:record-histories`: send-message.test.ts and campaign-run.test.ts,
 * binary protobuf files) is replayed against today's workflow code, bundled as production
 * bundles it (buildWorkflowBundle: what `npm run build` writes to dist/workflow-bundle.js). A change that would
 * break running workflows (reordered steps, a removed activity) without
 * `patched()` fails here.
 */
const HISTORY_DIR = path.join(__dirname, '..', 'replay', 'histories');
const files = readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.pb')).sort();

describe('replay of recorded send and campaign histories', () => {
  beforeAll(() => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  });

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    // test/workflows/campaign-run.test.ts records these; one ends in continue-as-new.
    expect(files.filter((f) => f.startsWith('campaign-run-'))).toEqual(['campaign-run-pages.pb', 'campaign-run-progress.pb', 'campaign-run-skipped.pb']);
  });

  it('replays every history deterministically', async () => {
    const histories = files.map((file) => ({
      workflowId: path.basename(file, '.pb'),
      history: temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORY_DIR, file))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: runWorkflowBundlePath() }, replayName: 'herald-replay' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
