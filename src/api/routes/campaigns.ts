import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
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
import { requireScope } from '../scopes';
import { parseOr400 } from '../validate';

const RECENT_RUNS = 10;
const INVALID_LINES_SHOWN = 100;

type CampaignRow = Campaign & { template: { code: string; channel: string } };

/** Campaigns: a template sent to an audience on a Temporal Schedule; pause, resume, trigger now, delete, run progress. */
export function campaignsRouter(deps: ApiDeps): Router {
  const router = Router();
  const sendScope = requireScope('send');
  const withTemplate = { template: { select: { code: true, channel: true } } } as const;

  async function ownedCampaign(id: string, teamId: string): Promise<CampaignRow> {
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

  async function view(campaign: CampaignRow): Promise<AnswerOf<typeof campaignViewSchema>> {
    const runs = await deps.prisma.campaignRun.findMany({ where: { campaignId: campaign.id }, orderBy: { startedAt: 'desc' }, take: RECENT_RUNS });
    const temporal = campaign.state === 'DELETED' ? null : await describeCampaignSchedule(deps.temporal, campaign.id);
    return { ...summary(campaign), temporal, runs: runs.map(runView) };
  }

  router.post('/v1/campaigns', sendScope, async (req, res) => {
    const request = parseOr400(campaignRequestSchema, req.body, 'body');
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
    res.status(201).json(await view(campaign));
  });

  router.get('/v1/campaigns', sendScope, async (_req, res) => {
    const campaigns = await deps.prisma.campaign.findMany({
      where: { teamId: callerOf(res).teamId, state: { not: 'DELETED' } },
      include: withTemplate,
      orderBy: { createdAt: 'desc' },
    });
    res.json({ campaigns: campaigns.map(summary) } satisfies AnswerOf<typeof campaignListAnswerSchema>);
  });

  router.get('/v1/campaigns/:id', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    res.json(await view(await ownedCampaign(id, callerOf(res).teamId)));
  });

  router.post('/v1/campaigns/:id/pause', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const caller = callerOf(res);
    const campaign = await ownedCampaign(id, caller.teamId);
    notDeleted(campaign);
    await pauseCampaignSchedule(deps.temporal, id, `api-key ${caller.apiKeyId}`);
    res.json(await view(await deps.prisma.campaign.update({ where: { id }, data: { state: 'PAUSED' }, include: withTemplate })));
  });

  router.post('/v1/campaigns/:id/resume', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const caller = callerOf(res);
    const campaign = await ownedCampaign(id, caller.teamId);
    notDeleted(campaign);
    await resumeCampaignSchedule(deps.temporal, id, `api-key ${caller.apiKeyId}`);
    res.json(await view(await deps.prisma.campaign.update({ where: { id }, data: { state: 'ACTIVE' }, include: withTemplate })));
  });

  router.post('/v1/campaigns/:id/trigger', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const campaign = await ownedCampaign(id, callerOf(res).teamId);
    notDeleted(campaign);
    await triggerCampaignSchedule(deps.temporal, id);
    res.status(202).json(await view(campaign));
  });

  router.delete('/v1/campaigns/:id', sendScope, async (req, res) => {
    const { id } = parseOr400(idParamSchema, req.params, 'params');
    const campaign = await ownedCampaign(id, callerOf(res).teamId);
    if (campaign.state !== 'DELETED') {
      await deleteCampaignSchedule(deps.temporal, id);
      await deps.prisma.campaign.update({ where: { id }, data: { state: 'DELETED' } });
    }
    res.status(204).end();
  });

  router.get('/v1/campaigns/:id/runs/:runId', sendScope, async (req, res) => {
    const { id, runId } = parseOr400(campaignRunParamsSchema, req.params, 'params');
    const campaign = await ownedCampaign(id, callerOf(res).teamId);
    const run = await deps.prisma.campaignRun.findFirst({ where: { id: runId, campaignId: campaign.id } });
    if (!run) throw new HttpError(404, 'CAMPAIGN_RUN_NOT_FOUND', `no run ${runId} of campaign ${id}`);
    const [groups, invalidRows, invalidLines, live] = await Promise.all([
      deps.prisma.send.groupBy({ by: ['status'], where: { messageId: run.messageId }, _count: { _all: true } }),
      deps.prisma.audienceError.count({ where: { audienceId: campaign.audienceId } }),
      deps.prisma.audienceError.findMany({ where: { audienceId: campaign.audienceId }, orderBy: { line: 'asc' }, take: INVALID_LINES_SHOWN, select: { line: true, reason: true } }),
      run.state === 'RUNNING' ? liveProgress(run.workflowId) : Promise.resolve(null),
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
  });

  /** The running workflow's own counts; null when it has ended or cannot be asked. */
  async function liveProgress(workflowId: string): Promise<CampaignProgress | null> {
    try {
      const progress = await deps.temporal.workflow.getHandle(workflowId).query(campaignProgressQuery);
      return progress.done ? null : progress;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  return router;
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
