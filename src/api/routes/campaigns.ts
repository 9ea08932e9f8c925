import { WorkflowNotFoundError } from '@temporalio/client';
import type { Campaign, CampaignRun } from '../../generated/prisma/client';
import {
  createCampaignSchedule,
  deleteCampaignSchedule,
  describeCampaignSchedule,
  InvalidScheduleError,
  pauseCampaignSchedule,
  resumeCampaignSchedule,
  triggerCampaignSchedule,
  type CampaignScheduleSpec,
} from '../../campaigns/campaign-schedule';
import { campaignProgressQuery, type CampaignProgress } from '../../shared/campaign-contract';
import type { AnswerOf } from '../answers';
import { campaignListAnswerSchema, campaignRunProgressSchema, campaignViewSchema } from '../campaign-answers';
import { campaignRequestSchema, campaignRunParamsSchema } from '../campaign-schemas';
import { callerOf } from '../caller';
import { checkCampaign } from '../create-campaign';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { ok, SEND } from '../openapi/access';
import { route, type ApiRoute } from '../route';

const RECENT_RUNS = 10;
const INVALID_LINES_SHOWN = 100;

type CampaignRow = Campaign & { template: { code: string; channel: string } };

const campaignNotFound = { 404: 'CAMPAIGN_NOT_FOUND: no such campaign in your team' };
const campaignControl = { tag: 'campaigns', access: SEND, params: idParamSchema, usesTemporal: true, errors: { ...campaignNotFound, 409: 'CAMPAIGN_DELETED: the campaign is deleted' } } as const;

/** Pause or resume: the Temporal Schedule and the campaign's state change together. */
function scheduleStateRoute(action: 'pause' | 'resume', summary: string, description: string): ApiRoute {
  const change = action === 'pause' ? { schedule: pauseCampaignSchedule, state: 'PAUSED' } : { schedule: resumeCampaignSchedule, state: 'ACTIVE' };
  return route({
    ...campaignControl,
    method: 'post',
    path: `/v1/campaigns/:id/${action}`,
    summary,
    description,
    answers: ok('the campaign', campaignViewSchema),
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const caller = callerOf(res);
      notDeleted(await ownedCampaign(deps, id, caller.teamId));
      await change.schedule(deps.temporal, id, `api-key ${caller.apiKeyId}`);
      res.json(await view(deps, await deps.prisma.campaign.update({ where: { id }, data: { state: change.state }, include: withTemplate })));
    },
  });
}

/** Campaigns: a template sent to an audience on a Temporal Schedule; pause, resume, trigger now, delete, run progress. */
export const campaignRoutes: ApiRoute[] = [
  route({
    method: 'post',
    path: '/v1/campaigns',
    tag: 'campaigns',
    summary: 'Send a template to an audience, once or on a cron schedule',
    description:
      'A Temporal Schedule `campaign-<id>` starts one run per tick (overlap SKIP: a tick while the previous run still goes does nothing). A run makes one message; each audience row becomes one send, rendered with its own variables, screened and sent like any other.',
    access: SEND,
    body: campaignRequestSchema,
    usesTemporal: true,
    answers: { 201: { description: 'created, with its schedule', schema: campaignViewSchema } },
    errors: {
      400: 'INVALID_SCHEDULE: `schedule.at` is not in the future or `schedule.cron` is unreadable; CHANNEL_MISMATCH: the audience is of another channel; MISSING_COLUMNS: the audience lacks a column for a template variable (`details.missing`)',
      404: 'TEMPLATE_NOT_FOUND, AUDIENCE_NOT_FOUND: not in your team',
      409: 'AUDIENCE_NOT_READY: the audience is still uploading or failed; TEMPLATE_NOT_APPROVED, TEMPLATE_DISABLED, TEMPLATE_NOT_ACTIVE, TEMPLATE_MISCONFIGURED: the template cannot send',
    },
    handler: async ({ deps, res, body }) => {
      const request = body;
      const caller = callerOf(res);
      const checked = await checkCampaign(deps.prisma, deps.config, caller, request, new Date());
      const campaign = await deps.prisma.campaign.create({
        data: { teamId: caller.teamId, name: request.name, templateId: checked.templateId, audienceId: checked.audienceId, schedule: checked.schedule, createdBy: caller.apiKeyId },
        include: withTemplate,
      });
      try {
        await createCampaignSchedule(deps.temporal, campaign.id, checked.schedule, deps.config.TEMPORAL_TASK_QUEUE);
      } catch (error) {
        // No schedule, no campaign: nothing has run, so the row goes too. A create that failed on our side of
        // the wire (a timeout) may have made the schedule on the server: remove it, or it would tick for ever.
        if (!(error instanceof InvalidScheduleError)) {
          await deleteCampaignSchedule(deps.temporal, campaign.id).catch((cleanup: unknown) => {
            deps.logger.warn({ campaignId: campaign.id, err: cleanup }, 'campaign schedule cleanup failed after a failed create');
          });
        }
        await deps.prisma.campaign.delete({ where: { id: campaign.id } });
        if (error instanceof InvalidScheduleError) {
          throw new HttpError(400, 'INVALID_SCHEDULE', `schedule.cron is not readable: ${error.message}`, { field: 'schedule.cron', reason: error.message });
        }
        throw error;
      }
      deps.logger.info({ campaignId: campaign.id, teamId: caller.teamId, schedule: checked.schedule }, 'campaign created');
      res.status(201).json(await view(deps, campaign));
    },
  }),

  route({
    method: 'get',
    path: '/v1/campaigns',
    tag: 'campaigns',
    summary: "Your team's campaigns (deleted ones left out)",
    access: SEND,
    answers: ok('the campaigns, newest first', campaignListAnswerSchema),
    handler: async ({ deps, res }) => {
      const campaigns = await deps.prisma.campaign.findMany({
        where: { teamId: callerOf(res).teamId, state: { not: 'DELETED' } },
        include: withTemplate,
        orderBy: { createdAt: 'desc' },
      });
      res.json({ campaigns: campaigns.map(summary) } satisfies AnswerOf<typeof campaignListAnswerSchema>);
    },
  }),

  route({
    method: 'get',
    path: '/v1/campaigns/:id',
    tag: 'campaigns',
    summary: 'A campaign, its schedule (paused, next times) and recent runs',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: ok('the campaign', campaignViewSchema),
    errors: campaignNotFound,
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      res.json(await view(deps, await ownedCampaign(deps, id, callerOf(res).teamId)));
    },
  }),

  scheduleStateRoute('pause', 'Pause the schedule', 'No new runs until resumed; a run already going finishes.'),
  scheduleStateRoute('resume', 'Resume the schedule', 'Runs start again at the next tick (missed ticks are not made up).'),

  route({
    ...campaignControl,
    method: 'post',
    path: '/v1/campaigns/:id/trigger',
    summary: 'Trigger a run now',
    description: 'One run now, whatever the schedule says, paused or not; skipped like a tick while a run still goes.',
    answers: { 202: { description: 'the run is asked for; it appears in `runs` when it starts', schema: campaignViewSchema } },
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const campaign = await ownedCampaign(deps, id, callerOf(res).teamId);
      notDeleted(campaign);
      await triggerCampaignSchedule(deps.temporal, id);
      res.status(202).json(await view(deps, campaign));
    },
  }),

  route({
    method: 'delete',
    path: '/v1/campaigns/:id',
    tag: 'campaigns',
    summary: 'Delete a campaign: its schedule goes, its runs and sends stay',
    access: SEND,
    params: idParamSchema,
    usesTemporal: true,
    answers: { 204: { description: 'deleted (or deleted before)' } },
    errors: campaignNotFound,
    handler: async ({ deps, res, params }) => {
      const { id } = params;
      const campaign = await ownedCampaign(deps, id, callerOf(res).teamId);
      if (campaign.state !== 'DELETED') {
        await deleteCampaignSchedule(deps.temporal, id);
        await deps.prisma.campaign.update({ where: { id }, data: { state: 'DELETED' } });
      }
      res.status(204).end();
    },
  }),

  route({
    method: 'get',
    path: '/v1/campaigns/:id/runs/:runId',
    tag: 'campaigns',
    summary: "A run's progress: sends per status, rows, invalid audience lines, pages",
    access: SEND,
    params: campaignRunParamsSchema,
    usesTemporal: true,
    answers: ok('the run', campaignRunProgressSchema),
    errors: { 404: 'CAMPAIGN_NOT_FOUND, CAMPAIGN_RUN_NOT_FOUND: not in your team' },
    handler: async ({ deps, res, params }) => {
      const { id, runId } = params;
      const campaign = await ownedCampaign(deps, id, callerOf(res).teamId);
      const run = await deps.prisma.campaignRun.findFirst({ where: { id: runId, campaignId: campaign.id } });
      if (!run) throw new HttpError(404, 'CAMPAIGN_RUN_NOT_FOUND', `no run ${runId} of campaign ${id}`);
      const [groups, invalidRows, invalidLines, live] = await Promise.all([
        deps.prisma.send.groupBy({ by: ['status'], where: { messageId: run.messageId }, _count: { _all: true } }),
        deps.prisma.audienceError.count({ where: { audienceId: campaign.audienceId } }),
        deps.prisma.audienceError.findMany({ where: { audienceId: campaign.audienceId }, orderBy: { line: 'asc' }, take: INVALID_LINES_SHOWN, select: { line: true, reason: true } }),
        run.state === 'RUNNING' ? liveProgress(deps, run.workflowId) : Promise.resolve(null),
      ]);
      const byStatus = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
      res.json({
        ...runView(run),
        campaignId: campaign.id,
        invalidRows,
        invalidLines,
        live,
        sends: { total: groups.reduce((sum, g) => sum + g._count._all, 0), byStatus },
      } satisfies AnswerOf<typeof campaignRunProgressSchema>);
    },
  }),
];

const withTemplate = { template: { select: { code: true, channel: true } } } as const;

async function ownedCampaign(deps: ApiDeps, id: string, teamId: string): Promise<CampaignRow> {
  const campaign = await deps.prisma.campaign.findFirst({ where: { id, teamId }, include: withTemplate });
  if (!campaign) throw new HttpError(404, 'CAMPAIGN_NOT_FOUND', `no campaign ${id}`);
  return campaign;
}

function notDeleted(campaign: CampaignRow): void {
  if (campaign.state === 'DELETED') throw new HttpError(409, 'CAMPAIGN_DELETED', `campaign ${campaign.id} is deleted`);
}

function summary(campaign: CampaignRow) {
  return {
    id: campaign.id,
    name: campaign.name,
    state: campaign.state,
    template: campaign.template.code,
    channel: campaign.template.channel,
    audienceId: campaign.audienceId,
    schedule: campaign.schedule as CampaignScheduleSpec,
    createdAt: campaign.createdAt,
  };
}

async function view(deps: ApiDeps, campaign: CampaignRow): Promise<AnswerOf<typeof campaignViewSchema>> {
  const runs = await deps.prisma.campaignRun.findMany({ where: { campaignId: campaign.id }, orderBy: { startedAt: 'desc' }, take: RECENT_RUNS });
  const temporal = campaign.state === 'DELETED' ? null : await describeCampaignSchedule(deps.temporal, campaign.id);
  return { ...summary(campaign), temporal, runs: runs.map(runView) };
}

/** The running workflow's own counts (the answer already names the run); null when it has ended or cannot be asked. */
async function liveProgress(deps: ApiDeps, workflowId: string): Promise<Omit<CampaignProgress, 'runId'> | null> {
  try {
    const progress = await deps.temporal.workflow.getHandle(workflowId).query(campaignProgressQuery);
    if (progress.done) return null;
    const { pages, rowsStarted, rowsSkipped, afterLine, executions, done } = progress;
    return { pages, rowsStarted, rowsSkipped, afterLine, executions, done };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

function runView(run: CampaignRun) {
  return {
    runId: run.id,
    workflowId: run.workflowId,
    messageId: run.messageId,
    state: run.state,
    rowsTotal: run.rowsTotal,
    rowsStarted: run.rowsStarted,
    pages: run.pages,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}
