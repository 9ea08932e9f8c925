import { z } from 'zod';
import { SEND_STATUSES } from '../shared/states';

const time = z.date();

const campaignRunViewSchema = z.object({
  runId: z.uuid(),
  workflowId: z.string(),
  messageId: z.uuid(),
  state: z.string().meta({ description: 'RUNNING, FINISHED' }),
  rowsTotal: z.number().int().meta({ description: 'audience rows when the run began' }),
  rowsStarted: z.number().int().meta({ description: 'rows whose sends were created and started (written when the run finishes; live in the run view)' }),
  pages: z.number().int(),
  startedAt: time,
  finishedAt: time.nullable(),
});

/** One campaign (`GET /v1/campaigns/:id` and the control routes). */
export const campaignViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  state: z.string().meta({ description: 'ACTIVE, PAUSED, DELETED' }),
  template: z.string().meta({ description: 'the template code' }),
  channel: z.string(),
  audienceId: z.uuid(),
  schedule: z.union([z.object({ at: z.string() }), z.object({ cron: z.string(), timeZone: z.string() })]).meta({ description: 'as given at creation' }),
  createdAt: time,
  temporal: z
    .object({
      scheduleId: z.string(),
      paused: z.boolean(),
      remainingActions: z.number().int().nullable().meta({ description: 'runs the schedule still takes (once-at: 1, then 0); null: unlimited' }),
      nextActionTimes: z.array(time),
      running: z.array(z.string()).meta({ description: 'workflow ids of runs still going' }),
    })
    .nullable()
    .meta({ description: "the Temporal Schedule's own state; null when it is deleted" }),
  runs: z.array(campaignRunViewSchema).meta({ description: 'the 10 most recent runs, newest first' }),
});

export const campaignListAnswerSchema = z.object({
  campaigns: z.array(campaignViewSchema.omit({ temporal: true, runs: true })),
});

/** `GET /v1/campaigns/:id/runs/:runId`: how far a run is. */
export const campaignRunProgressSchema = campaignRunViewSchema.extend({
  campaignId: z.uuid(),
  invalidRows: z.number().int().meta({ description: 'audience lines refused at upload (audience_error): never sent' }),
  invalidLines: z.array(z.object({ line: z.number().int(), reason: z.string() })).meta({ description: 'the first 100 of them, by line (line 1 is the header)' }),
  live: z
    .object({ pages: z.number().int(), rowsStarted: z.number().int(), rowsSkipped: z.number().int(), afterLine: z.number().int(), executions: z.number().int(), done: z.boolean() })
    .nullable()
    .meta({ description: "the running workflow's own progress (query campaignProgress); null when it is not running" }),
  sends: z.object({
    total: z.number().int(),
    byStatus: z.record(z.string(), z.number().int()).meta({ description: `sends of the run's message by status: ${SEND_STATUSES.join(', ')}` }),
  }),
});
