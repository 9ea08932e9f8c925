import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CampaignActivities } from '../../src/activities/campaign-run';
import { CAMPAIGN_RUN_WORKFLOW, campaignProgressQuery, type CampaignPageRequest, type CampaignProgress, type CampaignRunInput } from '../../src/shared/campaign-contract';
import type { campaignRun } from '../../src/workflows';
import { startWorkflowTestEnvironment } from '../support/temporal';

const HISTORY_DIR = path.join(__dirname, '..', 'replay', 'histories');
const EVENT_TYPE = temporal.api.enums.v1.EventType;

/** What the fake activities saw. */
interface CampaignJournal {
  opened: number;
  pages: CampaignPageRequest[];
  finished: Array<{ runId: string; pages: number; rowsStarted: number }>;
}

/**
 * Fake campaign activities over an audience of `lines` (gaps allowed, like
 * lines refused at upload); `unrenderable` lines count as skipped. Typed
 * against the real factory.
 */
function fakeCampaignActivities(lines: number[], options: { unrenderable?: number[]; beforePage?: (request: CampaignPageRequest) => Promise<void>; open?: boolean } = {}) {
  const journal: CampaignJournal = { opened: 0, pages: [], finished: [] };
  const activities: CampaignActivities = {
    async openCampaignRun() {
      journal.opened += 1;
      return options.open === false ? { open: false, reason: 'campaign c-1 is deleted' } : { open: true, runId: 'run-1', messageId: 'message-1', rowsTotal: lines.length };
    },
    async startCampaignPage(request) {
      journal.pages.push(request);
      await options.beforePage?.(request);
      const page = lines.filter((line) => line > request.afterLine).slice(0, request.pageSize);
      const skipped = page.filter((line) => options.unrenderable?.includes(line)).length;
      return { rows: page.length, created: page.length - skipped, skipped, lastLine: page.at(-1) ?? request.afterLine, done: page.length < request.pageSize };
    },
    async finishCampaignRun(summary) {
      journal.finished.push(summary);
    },
  };
  return { activities, journal };
}

describe('campaignRun workflow (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    ({ env, bundle } = await startWorkflowTestEnvironment());
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  async function run(name: string, activities: CampaignActivities, input: CampaignRunInput, drive: (workflowId: string) => Promise<void> = async () => undefined) {
    const taskQueue = `wf-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const workflowId = `campaign-${randomUUID()}-run`;
      const handle = await env.client.workflow.start<typeof campaignRun>(CAMPAIGN_RUN_WORKFLOW, { taskQueue, workflowId, args: [input] });
      await drive(workflowId);
      const outcome = await handle.result();
      // The first execution's history: it ends in ContinuedAsNew when the run was longer than one execution.
      const firstHistory = await env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).fetchHistory();
      if (process.env.RECORD_HISTORIES) writeFileSync(path.join(HISTORY_DIR, `${name}.pb`), temporal.api.history.v1.History.encode(firstHistory).finish());
      return { outcome, firstHistory };
    });
  }

  it('reads the audience page by page and continues as new after the bound, carrying cursor and counts', async () => {
    // 23 rows with gaps (lines refused at upload are missing); pages of 5, two pages per execution.
    const lines = Array.from({ length: 26 }, (_, i) => i + 2).filter((line) => ![7, 8, 20].includes(line));
    expect(lines).toHaveLength(23);
    const { activities, journal } = fakeCampaignActivities(lines, { unrenderable: [11] });
    const { outcome, firstHistory } = await run('campaign-run-pages', activities, { campaignId: 'c-1', pageSize: 5, pagesPerExecution: 2 });

    expect(outcome).toEqual({ state: 'FINISHED', runId: 'run-1', pages: 5, rowsStarted: 22, rowsSkipped: 1, executions: 3 });
    expect(journal.opened).toBe(1);
    // Keyset cursor: each page starts after the previous page's last line.
    expect(journal.pages.map((p) => p.afterLine)).toEqual([0, 6, 13, 18, 24]);
    expect(journal.pages.every((p) => p.runId === 'run-1' && p.pageSize === 5)).toBe(true);
    expect(journal.finished).toEqual([{ runId: 'run-1', pages: 5, rowsStarted: 22 }]);
    const events = firstHistory.events ?? [];
    expect(events.at(-1)?.eventType).toBe(EVENT_TYPE.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    expect(events.filter((e) => e.eventType === EVENT_TYPE.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toHaveLength(3); // open + 2 pages
  });

  it('ends after an exactly full last page with one empty page, and answers its progress while it runs', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: CampaignProgress[] = [];
    const { activities, journal } = fakeCampaignActivities([2, 3, 4, 5, 6, 7], {
      beforePage: async (request) => {
        if (request.afterLine === 4) await gate;
      },
    });
    const { outcome } = await run('campaign-run-progress', activities, { campaignId: 'c-1', pageSize: 3, pagesPerExecution: 10 }, async (workflowId) => {
      const handle = env.client.workflow.getHandle(workflowId);
      for (let i = 0; i < 200 && (seen.at(-1)?.pages ?? 0) < 1; i += 1) {
        seen.push(await handle.query(campaignProgressQuery));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      release();
    });
    expect(seen.at(-1)).toEqual({ runId: 'run-1', pages: 1, rowsStarted: 3, rowsSkipped: 0, afterLine: 4, executions: 1, done: false });
    expect(outcome).toMatchObject({ state: 'FINISHED', pages: 2, rowsStarted: 6, executions: 1 });
    expect(journal.pages.map((p) => p.afterLine)).toEqual([0, 4, 7]);
  });

  it('does nothing when the campaign cannot run (deleted between tick and start)', async () => {
    const { activities, journal } = fakeCampaignActivities([2, 3], { open: false });
    const { outcome } = await run('campaign-run-skipped', activities, { campaignId: 'c-1' });
    expect(outcome).toEqual({ state: 'SKIPPED', reason: 'campaign c-1 is deleted' });
    expect(journal.pages).toEqual([]);
    expect(journal.finished).toEqual([]);
  });
});
