/**
 * The contract of campaign runs between the API, the worker and the
 * `campaignRun` workflow: names, ids, the query and the input and output
 * types. Workflow-safe: no Node built-ins and no I/O here.
 */
import { defineQuery } from '@temporalio/workflow';

export const CAMPAIGN_RUN_WORKFLOW = 'campaignRun';

/** The Temporal Schedule of a campaign. */
export function campaignScheduleId(campaignId: string): string {
  return `campaign-${campaignId}`;
}

/** The workflow id a schedule starts runs with; Temporal appends the tick time (`campaign-<id>-run-2026-11-23T16:00:00Z`). */
export function campaignRunWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}-run`;
}

/** Audience rows read, turned into sends and started per page activity. */
export const CAMPAIGN_PAGE_SIZE = 500;
/** Pages per workflow execution before it continues as new: bounds the history (about 6 events a page). */
export const CAMPAIGN_PAGES_PER_EXECUTION = 50;

/** Where a run is: carried from one execution to the next by continue-as-new. */
export interface CampaignCursor {
  /** The campaign_run row. */
  runId: string;
  /** The last audience line whose send exists and was started (0: none yet). */
  afterLine: number;
  pages: number;
  rowsStarted: number;
  /** Rows that could not be rendered (a variable missing from the row): no send. */
  rowsSkipped: number;
  /** Executions so far, this one included. */
  executions: number;
}

export interface CampaignRunInput {
  campaignId: string;
  /** Set by continue-as-new only; a schedule starts a run with the campaign id alone. */
  cursor?: CampaignCursor;
  pageSize?: number;
  pagesPerExecution?: number;
}

export type CampaignRunOutcome =
  | { state: 'FINISHED'; runId: string; pages: number; rowsStarted: number; rowsSkipped: number; executions: number }
  | { state: 'SKIPPED'; reason: string };

/** What `openCampaignRun` answers: the run's row and message, or why this tick does nothing. */
export type CampaignRunOpening = { open: true; runId: string; messageId: string; rowsTotal: number } | { open: false; reason: string };

export interface CampaignPageRequest {
  runId: string;
  afterLine: number;
  pageSize: number;
}

export interface CampaignPageResult {
  /** Audience rows in this page. */
  rows: number;
  /** Sends inserted by this call (fewer than `rows` when an earlier attempt of the page got further). */
  created: number;
  /** Rows without a send: a template variable missing from the row. */
  skipped: number;
  /** The page's last line (the cursor for the next page); `afterLine` again for an empty page. */
  lastLine: number;
  /** No rows after this page. */
  done: boolean;
}

export interface CampaignProgress {
  /** Null until the run's row exists. */
  runId: string | null;
  pages: number;
  rowsStarted: number;
  rowsSkipped: number;
  afterLine: number;
  executions: number;
  done: boolean;
}

export const campaignProgressQuery = defineQuery<CampaignProgress>('campaignProgress');
