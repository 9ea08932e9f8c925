import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { CAMPAIGN_RUN_WORKFLOW, campaignRunWorkflowId, campaignScheduleId, type CampaignRunInput } from '../shared/campaign-contract';

/** A campaign's schedule as the caller gives it: once at a time, or a cron expression in a time zone. */
export type CampaignScheduleSpec = { at: string } | { cron: string; timeZone: string };

/** What the Temporal Schedule says about a campaign right now. */
export interface ScheduleState {
  scheduleId: string;
  paused: boolean;
  /** Runs the schedule still takes (a once-at campaign: 1, then 0); null: no limit. */
  remainingActions: number | null;
  nextActionTimes: Date[];
  /** Workflow ids of runs the schedule started that are still running. */
  running: string[];
}

/** The schedule refused the spec (a cron expression the server cannot read). */
export class InvalidScheduleError extends Error {}

/** `2026-11-23T16:10:05Z` as a 7-field cron (second … year) in UTC: one time, once. */
function onceAtCron(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} * ${at.getUTCFullYear()}`;
}

/**
 * The Temporal Schedule `campaign-<id>` that starts a `campaignRun` per tick.
 * Overlap SKIP: a tick while the previous run still sends does nothing, so a
 * slow run never doubles its audience's messages.
 */
export async function createCampaignSchedule(client: Client, campaignId: string, spec: CampaignScheduleSpec, taskQueue: string): Promise<void> {
  const once = 'at' in spec;
  try {
    await client.schedule.create({
      scheduleId: campaignScheduleId(campaignId),
      spec: once ? { cronExpressions: [onceAtCron(new Date(spec.at))], timezone: 'UTC' } : { cronExpressions: [spec.cron], timezone: spec.timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: CAMPAIGN_RUN_WORKFLOW,
        workflowId: campaignRunWorkflowId(campaignId),
        taskQueue,
        args: [{ campaignId } satisfies CampaignRunInput],
      },
      // A recurring campaign skips a tick missed by more than a minute (the next one comes); a one-time
      // campaign has no next tick, so it still runs when the server reaches it up to a day late.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: once ? '1 day' : '1 minute' },
      state: once ? { remainingActions: 1, note: `once at ${spec.at}` } : { note: `cron ${spec.cron} (${spec.timeZone})` },
    });
  } catch (error) {
    // The server checks cron expressions; the SDK turns its "Invalid schedule spec" answer into a TypeError.
    if (error instanceof TypeError) throw new InvalidScheduleError(error.message);
    throw error;
  }
}

/** The schedule's state, or null when it is gone. */
export async function describeCampaignSchedule(client: Client, campaignId: string): Promise<ScheduleState | null> {
  try {
    const description = await client.schedule.getHandle(campaignScheduleId(campaignId)).describe();
    return {
      scheduleId: description.scheduleId,
      paused: description.state.paused,
      remainingActions: description.state.remainingActions ?? null,
      nextActionTimes: description.info.nextActionTimes,
      running: description.info.runningActions.map((action) => action.workflow.workflowId),
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

export async function pauseCampaignSchedule(client: Client, campaignId: string, by: string): Promise<void> {
  await client.schedule.getHandle(campaignScheduleId(campaignId)).pause(`paused by ${by}`);
}

export async function resumeCampaignSchedule(client: Client, campaignId: string, by: string): Promise<void> {
  await client.schedule.getHandle(campaignScheduleId(campaignId)).unpause(`resumed by ${by}`);
}

/** One run now, whatever the spec says; skipped like a tick when a run is still going (overlap SKIP). */
export async function triggerCampaignSchedule(client: Client, campaignId: string): Promise<void> {
  await client.schedule.getHandle(campaignScheduleId(campaignId)).trigger();
}

/** Removes the schedule; a run already going finishes its audience. Gone already is fine. */
export async function deleteCampaignSchedule(client: Client, campaignId: string): Promise<void> {
  try {
    await client.schedule.getHandle(campaignScheduleId(campaignId)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}
