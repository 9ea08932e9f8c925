import { createHash, randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { buildSendInput, type InputDefaults } from '../sending/send-input';
import type { WorkflowStarter } from '../sending/workflow-starter';
import type { CampaignPageRequest, CampaignPageResult, CampaignRunOpening } from '../shared/campaign-contract';
import { countSegments } from '../shared/segments';
import { placeholdersOf, renderTemplate } from '../shared/template-render';

/**
 * A page's outbox rows are left to the page (it starts them itself) this long before the relay
 * may take them: a page's starts take seconds; a relay that takes one anyway only meets
 * WorkflowExecutionAlreadyStarted.
 */
const CAMPAIGN_PAGE_LEASE_MS = 60_000;

export interface CampaignActivityDeps {
  prisma: PrismaClient;
  /** Starts send workflows (ids send-<sendId>) on the send task queue. */
  starter: WorkflowStarter;
  defaults: InputDefaults;
  logger: Logger;
}

/**
 * The send id of an audience line in a run: the same on every attempt of a
 * page, so a retried page inserts nothing twice (a UUID built from a hash of
 * run id and line, version 5 layout).
 */
export function campaignSendId(runId: string, line: number): string {
  const hex = createHash('sha256').update(`${runId}:${line}`).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The activities of the campaignRun workflow: open a run, start one page of sends, finish the run. */
export function createCampaignActivities(deps: CampaignActivityDeps) {
  const { prisma } = deps;

  return {
    /**
     * The run's row and its message (one per run, so diagnose, trace and billing see campaign sends like any
     * other). Keyed by the workflow id: a retry finds the row the first attempt wrote.
     */
    async openCampaignRun({ campaignId }: { campaignId: string }): Promise<CampaignRunOpening> {
      const execution = Context.current().info.workflowExecution;
      if (!execution) throw new Error('openCampaignRun runs inside the campaignRun workflow only');
      const { workflowId, runId: temporalRunId } = execution;
      const existing = await prisma.campaignRun.findUnique({ where: { workflowId } });
      if (existing) return { open: true, runId: existing.id, messageId: existing.messageId, rowsTotal: existing.rowsTotal };

      const campaign = await prisma.campaign.findUnique({
        where: { id: campaignId },
        include: { template: { include: { sharedWith: { select: { teamId: true } } } }, audience: true, creator: true },
      });
      if (!campaign || campaign.state === 'DELETED') return { open: false, reason: `campaign ${campaignId} is deleted` };
      const refusal = whyNotSendable(campaign);
      if (refusal) {
        deps.logger.warn({ campaignId, workflowId, reason: refusal }, 'campaign run skipped');
        return { open: false, reason: refusal };
      }
      const rowsTotal = await prisma.audienceRow.count({ where: { audienceId: campaign.audienceId } });
      const messageId = randomUUID();
      const runId = randomUUID();
      try {
        await prisma.$transaction([
          prisma.message.create({
            data: {
              id: messageId, apiKeyId: campaign.createdBy, teamId: campaign.teamId, templateId: campaign.templateId,
              requestHash: `campaign:${campaign.id}:${workflowId}`, receiverCount: rowsTotal,
            },
          }),
          prisma.campaignRun.create({ data: { id: runId, campaignId, workflowId, runId: temporalRunId, messageId, rowsTotal } }),
        ]);
      } catch (error) {
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
        const raced = await prisma.campaignRun.findUniqueOrThrow({ where: { workflowId } });
        return { open: true, runId: raced.id, messageId: raced.messageId, rowsTotal: raced.rowsTotal };
      }
      deps.logger.info({ campaignId, runId, workflowId, rowsTotal }, 'campaign run opened');
      return { open: true, runId, messageId, rowsTotal };
    },

    /**
     * The next page of audience rows after `afterLine`: their sends (rendered per row) and outbox rows are
     * inserted idempotently, then the workflows of those still ACCEPTED are started. A start that fails
     * stays in the outbox for the relay. Heartbeats between its steps and as its starts go out.
     */
    async startCampaignPage(request: CampaignPageRequest): Promise<CampaignPageResult> {
      const pageLeaseEnd = (): Date => new Date(Date.now() + CAMPAIGN_PAGE_LEASE_MS);
      const heartbeat = (): void => Context.current().heartbeat({ afterLine: request.afterLine });
      heartbeat();
      const run = await prisma.campaignRun.findUniqueOrThrow({
        where: { id: request.runId },
        include: { campaign: { include: { template: true } } },
      });
      const { campaign } = run;
      const { template } = campaign;
      // Disabled (or sent back for approval) while the run goes: no page after this one.
      if (template.status !== 'ACTIVE') {
        deps.logger.warn({ runId: run.id, template: template.code, status: template.status }, 'campaign run stopped: its template is no longer active');
        return { rows: 0, created: 0, skipped: 0, lastLine: request.afterLine, done: true };
      }
      const rows = await prisma.audienceRow.findMany({
        where: { audienceId: campaign.audienceId, line: { gt: request.afterLine } },
        orderBy: { line: 'asc' },
        take: request.pageSize,
      });
      const lastLine = rows.at(-1)?.line ?? request.afterLine;
      const done = rows.length < request.pageSize;
      if (rows.length === 0) return { rows: 0, created: 0, skipped: 0, lastLine, done };

      const sends = [];
      let skipped = 0;
      for (const row of rows) {
        const variables = textVariables(row.variables);
        const rendered = renderTemplate(template.content, variables);
        if (!rendered.ok) {
          skipped += 1;
          deps.logger.warn({ runId: run.id, line: row.line, missing: rendered.missing }, 'campaign row skipped: variables missing');
          continue;
        }
        sends.push({
          id: campaignSendId(run.id, row.line),
          messageId: run.messageId,
          templateId: template.id,
          channel: template.channel,
          receiver: row.receiver,
          receiverRaw: row.receiver,
          content: rendered.text,
          variables,
          segments: template.channel === 'SMS' ? countSegments(rendered.text).segments : 1,
          sendAt: null,
          status: 'ACCEPTED',
        });
      }
      heartbeat();
      const [inserted] = await prisma.$transaction([
        prisma.send.createMany({ data: sends, skipDuplicates: true }),
        // Leased to this page, which starts them itself: the relay takes over only from a page that did not.
        prisma.outbox.createMany({ data: sends.map((s) => ({ sendId: s.id, nextAttemptAt: pageLeaseEnd() })), skipDuplicates: true }),
      ]);

      // Only sends not started yet: a finished workflow started again under the same id would send twice.
      const waiting = await prisma.send.findMany({
        where: { id: { in: sends.map((s) => s.id) }, status: 'ACCEPTED' },
        select: { id: true, messageId: true, receiver: true, channel: true, content: true, sendAt: true },
      });
      const failed = await deps.starter.start(waiting.map((s) => buildSendInput(s, template, campaign.createdBy, deps.defaults)), heartbeat);
      if (failed.length > 0) deps.logger.warn({ runId: run.id, failed: failed.length }, 'campaign page: some workflow starts failed; the outbox relay retries them');
      return { rows: rows.length, created: inserted.count, skipped, lastLine, done };
    },

    /** Marks the run finished with its final counts. */
    async finishCampaignRun({ runId, pages, rowsStarted }: { runId: string; pages: number; rowsStarted: number }): Promise<void> {
      await prisma.campaignRun.update({ where: { id: runId }, data: { state: 'FINISHED', pages, rowsStarted, finishedAt: new Date() } });
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;

/** An audience row's variables as text (the upload stores text; anything else is stringified). */
function textVariables(value: Prisma.JsonValue): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/**
 * Why a campaign may not send now, though it could when it was created: its
 * template is no longer active or no longer the team's (own or shared), the
 * key that created it was revoked, its audience is not READY, or the template
 * now uses a variable the audience has no column for. Null: it may send.
 */
function whyNotSendable(campaign: {
  teamId: string;
  template: { code: string; status: string; teamId: string; content: string; sharedWith: Array<{ teamId: string }> };
  audience: { status: string; variableColumns: string[] };
  creator: { revokedAt: Date | null };
}): string | null {
  const { template, audience } = campaign;
  if (template.status !== 'ACTIVE') return `template ${template.code} is ${template.status}`;
  if (template.teamId !== campaign.teamId && !template.sharedWith.some((share) => share.teamId === campaign.teamId)) {
    return `template ${template.code} is no longer shared with the campaign's team`;
  }
  if (campaign.creator.revokedAt) return 'the API key that created the campaign was revoked';
  if (audience.status !== 'READY') return `the audience is ${audience.status}`;
  const columns = new Set(audience.variableColumns);
  const missing = placeholdersOf(template.content).filter((name) => !columns.has(name));
  return missing.length > 0 ? `the audience has no column for template variables: ${missing.join(', ')}` : null;
}
