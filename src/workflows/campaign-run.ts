import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign-run';
import {
  CAMPAIGN_PAGE_SIZE,
  CAMPAIGN_PAGES_PER_EXECUTION,
  campaignProgressQuery,
  type CampaignCursor,
  type CampaignRunInput,
  type CampaignRunOutcome,
} from '../shared/campaign-contract';
import { SEND_PAGE } from './activity-options';

const { openCampaignRun, startCampaignPage, finishCampaignRun } = proxyActivities<CampaignActivities>(SEND_PAGE);

/**
 * One run of a campaign: reads the audience page by page (keyset on line),
 * each page one activity that creates the page's sends and starts their
 * send workflows. After `pagesPerExecution` pages it continues as new with
 * the cursor, so neither memory nor the history grows with the audience.
 */
export async function campaignRun(input: CampaignRunInput): Promise<CampaignRunOutcome> {
  const pageSize = input.pageSize ?? CAMPAIGN_PAGE_SIZE;
  const pagesPerExecution = input.pagesPerExecution ?? CAMPAIGN_PAGES_PER_EXECUTION;
  let cursor: CampaignCursor | null = input.cursor ? { ...input.cursor, executions: input.cursor.executions + 1 } : null;
  let done = false;

  setHandler(campaignProgressQuery, () => ({
    runId: cursor?.runId ?? null,
    pages: cursor?.pages ?? 0,
    rowsStarted: cursor?.rowsStarted ?? 0,
    rowsSkipped: cursor?.rowsSkipped ?? 0,
    afterLine: cursor?.afterLine ?? 0,
    executions: cursor?.executions ?? 1,
    done,
  }));

  if (!cursor) {
    const opening = await openCampaignRun({ campaignId: input.campaignId });
    if (!opening.open) return { state: 'SKIPPED', reason: opening.reason };
    cursor = { runId: opening.runId, afterLine: 0, pages: 0, rowsStarted: 0, rowsSkipped: 0, executions: 1 };
  }

  for (let page = 0; page < pagesPerExecution && !done; page += 1) {
    const result = await startCampaignPage({ runId: cursor.runId, afterLine: cursor.afterLine, pageSize });
    if (result.rows > 0) {
      cursor.pages += 1;
      cursor.rowsStarted += result.rows - result.skipped;
      cursor.rowsSkipped += result.skipped;
      cursor.afterLine = result.lastLine;
    }
    done = result.done;
  }
  if (!done) return continueAsNew<typeof campaignRun>({ ...input, cursor });

  await finishCampaignRun({ runId: cursor.runId, pages: cursor.pages, rowsStarted: cursor.rowsStarted });
  return { state: 'FINISHED', runId: cursor.runId, pages: cursor.pages, rowsStarted: cursor.rowsStarted, rowsSkipped: cursor.rowsSkipped, executions: cursor.executions };
}
