import { Router, type Response } from 'express';
import { changedFields, recordAudit, type AuditAction } from '../../audit/audit-log';
import { assertScope, requireScope } from '../scopes';
import { Prisma, type Template } from '../../generated/prisma/client';
import type { Channel, MessageType, ShieldPolicy } from '../../shared/states';
import type { TemplateStatus } from '../../shared/template-status';
import { placeholdersOf } from '../../shared/template-render';
import { callerOf, logFacts } from '../caller';
import type { AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { invalidRequest, parseOr400 } from '../validate';
import type { templateListAnswerSchema, templateViewSchema } from './answers';
import { createTemplateSchema, templateListQuerySchema, updateTemplateSchema, type UpdateTemplateRequest } from './schemas';
import { templateProblems, type TemplateShape } from './template-rules';

/** Fields whose change alters what receivers get, so an ACTIVE template needs approval again. */
const REAPPROVAL_FIELDS = ['content', 'subject', 'messageType', 'vendorTemplateIds'] as const satisfies ReadonlyArray<keyof UpdateTemplateRequest>;

/**
 * Templates. A team admin (`admin`) creates, changes, disables and reads its
 * team's templates; a platform admin (`platform`) approves any team's template
 * (content review before it can go out under the platform's vendor
 * signatures) and may list every team's (`allTeams=true`). Approving and
 * disabling are in the audit log.
 */
export function adminTemplatesRouter(deps: ApiDeps): Router {
  const router = Router();
  const teamAdmin = requireScope('admin');
  const platformAdmin = requireScope('platform');

  router.get('/v1/admin/templates', async (req, res) => {
    const { allTeams, ...query } = parseOr400(templateListQuerySchema, req.query, 'query');
    assertScope(res, allTeams ? 'platform' : 'admin');
    const rows = await deps.prisma.template.findMany({ where: { ...(allTeams ? {} : { teamId: callerOf(res).teamId }), ...query }, orderBy: [{ code: 'asc' }, { teamId: 'asc' }] });
    res.json({ templates: rows.map(templateView) } satisfies AnswerOf<typeof templateListAnswerSchema>);
  });

  router.get('/v1/admin/templates/:id', teamAdmin, async (req, res) => {
    res.json(templateView(await teamTemplate(deps, req.params, res)));
  });

  router.post('/v1/admin/templates', teamAdmin, async (req, res) => {
    const body = parseOr400(createTemplateSchema, req.body, 'body');
    logFacts(res).templateRef = body.code;
    const shape: TemplateShape = { ...body, subject: body.subject ?? null };
    const problems = templateProblems(shape, deps.vendors);
    if (problems.length > 0) throw invalidRequest(problems);
    try {
      const row = await deps.prisma.template.create({
        data: { ...body, teamId: callerOf(res).teamId, status: 'PENDING_APPROVAL' satisfies TemplateStatus },
      });
      res.status(201).json(templateView(row));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new HttpError(409, 'TEMPLATE_CODE_TAKEN', `a template with code ${body.code} exists`, { field: 'code' });
      }
      throw error;
    }
  });

  router.patch('/v1/admin/templates/:id', teamAdmin, async (req, res) => {
    const current = await teamTemplate(deps, req.params, res);
    const change = parseOr400(updateTemplateSchema, req.body, 'body');
    const shape: TemplateShape = {
      channel: current.channel as Channel,
      messageType: change.messageType ?? (current.messageType as MessageType),
      subject: change.subject === undefined ? current.subject : change.subject,
      content: change.content ?? current.content,
      vendorTemplateIds: change.vendorTemplateIds ?? (current.vendorTemplateIds as Record<string, string>),
      shieldPolicy: change.shieldPolicy ?? (current.shieldPolicy as ShieldPolicy),
      bypassTeamSuppression: change.bypassTeamSuppression ?? current.bypassTeamSuppression,
    };
    const problems = templateProblems(shape, deps.vendors);
    if (problems.length > 0) throw invalidRequest(problems);
    const needsApproval = current.status === 'ACTIVE' && REAPPROVAL_FIELDS.some((field) => change[field] !== undefined);
    const row = await deps.prisma.template.update({
      where: { id: current.id },
      data: { ...change, ...(needsApproval ? { status: 'PENDING_APPROVAL' satisfies TemplateStatus } : {}) },
    });
    res.json(templateView(row));
  });

  router.post('/v1/admin/templates/:id/approve', platformAdmin, async (req, res) => {
    res.json(await setStatus(deps, res, await anyTeamTemplate(deps, req.params, res), 'ACTIVE'));
  });

  router.post('/v1/admin/templates/:id/disable', teamAdmin, async (req, res) => {
    res.json(await setStatus(deps, res, await teamTemplate(deps, req.params, res), 'DISABLED'));
  });

  return router;
}

/** The template `:id` of the caller's team; another team's template is a 404, as if it did not exist. */
async function teamTemplate(deps: ApiDeps, params: unknown, res: Response): Promise<Template> {
  const { id } = parseOr400(idParamSchema, params, 'params');
  logFacts(res).templateRef = id;
  const row = await deps.prisma.template.findFirst({ where: { id, teamId: callerOf(res).teamId } });
  if (!row) throw new HttpError(404, 'TEMPLATE_NOT_FOUND', `no template ${id} in your team`);
  return row;
}

/** The template `:id` of any team (a platform admin's review). */
async function anyTeamTemplate(deps: ApiDeps, params: unknown, res: Response): Promise<Template> {
  const { id } = parseOr400(idParamSchema, params, 'params');
  logFacts(res).templateRef = id;
  const row = await deps.prisma.template.findUnique({ where: { id } });
  if (!row) throw new HttpError(404, 'TEMPLATE_NOT_FOUND', `no template ${id}`);
  return row;
}

const STATUS_ACTIONS = { ACTIVE: 'template.approve', DISABLED: 'template.disable' } as const satisfies Partial<Record<TemplateStatus, AuditAction>>;

async function setStatus(deps: ApiDeps, res: Response, template: Template, status: keyof typeof STATUS_ACTIONS) {
  if (template.status === status) return templateView(template);
  const row = await deps.prisma.$transaction(async (tx) => {
    const updated = await tx.template.update({ where: { id: template.id }, data: { status } });
    await recordAudit(tx, callerOf(res), {
      action: STATUS_ACTIONS[status], targetId: template.id, targetTeamId: template.teamId,
      changes: { code: template.code, ...changedFields(template, { status }) },
    });
    return updated;
  });
  return templateView(row);
}

/** A template as the management API shows it, with the placeholders a send must fill. */
function templateView(row: Template): AnswerOf<typeof templateViewSchema> {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    teamId: row.teamId,
    status: row.status,
    channel: row.channel,
    messageType: row.messageType,
    subject: row.subject,
    content: row.content,
    placeholders: placeholdersOf(row.content),
    vendorTemplateIds: row.vendorTemplateIds,
    shieldPolicy: row.shieldPolicy,
    quietStart: row.quietStart,
    quietEnd: row.quietEnd,
    releaseAt: row.releaseAt,
    timeZone: row.timeZone,
    dedupContentSeconds: row.dedupContentSeconds,
    dedupContentMax: row.dedupContentMax,
    dailyCapMax: row.dailyCapMax,
    bypassTeamSuppression: row.bypassTeamSuppression,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
