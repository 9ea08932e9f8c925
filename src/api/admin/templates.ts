import type { Response } from 'express';
import { changedFields, recordAudit, type AuditAction } from '../../audit/audit-log';
import { Prisma, type Template } from '../../generated/prisma/client';
import type { Channel, MessageType, ShieldPolicy } from '../../shared/states';
import type { TemplateStatus } from '../../shared/template-status';
import { placeholdersOf } from '../../shared/template-render';
import { callerOf, logFacts } from '../caller';
import type { AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { invalidRequest, type FieldProblem } from '../validate';
import { templateListAnswerSchema, templateViewSchema } from './answers';
import { createTemplateSchema, templateListQuerySchema, updateTemplateSchema, type UpdateTemplateRequest } from './schemas';
import { templateProblems, type TemplateShape } from './template-rules';
import { ADMIN, ok, PLATFORM } from '../openapi/access';
import type { Access } from '../openapi/operation';
import { route, type ApiRoute } from '../route';

/** Fields whose change alters what receivers get, so an ACTIVE template needs approval again. */
const REAPPROVAL_FIELDS = ['content', 'subject', 'messageType', 'vendorTemplateIds'] as const satisfies ReadonlyArray<keyof UpdateTemplateRequest>;

const templateNotFound = { 404: 'TEMPLATE_NOT_FOUND: no such template in your team' };

/**
 * Templates. A team admin (`admin`) creates, changes, disables and reads its
 * team's templates; a platform admin (`platform`) approves any team's template
 * (content review before it can go out under the platform's vendor
 * signatures) and may list every team's (`allTeams=true`). Approving and
 * disabling are in the audit log.
 */
export const adminTemplateRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/admin/templates',
    tag: 'admin: templates',
    summary: "Your team's templates, or every team's (`allTeams=true`: the approval queue with `status=PENDING_APPROVAL`)",
    access: ADMIN,
    platformWhen: { when: 'for `allTeams=true`', applies: ({ query }) => query.allTeams },
    query: templateListQuerySchema,
    answers: ok('the templates, by code', templateListAnswerSchema),
    handler: async ({ deps, res, query: { allTeams, ...query } }) => {
      const rows = await deps.prisma.template.findMany({ where: { ...(allTeams ? {} : { teamId: callerOf(res).teamId }), ...query }, orderBy: [{ code: 'asc' }, { teamId: 'asc' }] });
      res.json({ templates: rows.map(templateView) } satisfies AnswerOf<typeof templateListAnswerSchema>);
    },
  }),

  route({
    method: 'get',
    path: '/v1/admin/templates/:id',
    tag: 'admin: templates',
    summary: 'One template',
    access: ADMIN,
    params: idParamSchema,
    answers: ok('the template', templateViewSchema),
    errors: templateNotFound,
    handler: async ({ deps, res, params }) => {
      res.json(templateView(await teamTemplate(deps, params.id, res)));
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/templates',
    tag: 'admin: templates',
    summary: 'Create a template (PENDING_APPROVAL until approved)',
    access: ADMIN,
    body: createTemplateSchema,
    answers: { 201: { description: 'created', schema: templateViewSchema } },
    errors: { 409: 'TEMPLATE_CODE_TAKEN: your team has a template with this code' },
    handler: async ({ deps, res, body }) => {
      logFacts(res).templateRef = body.code;
      const shape: TemplateShape = { ...body, subject: body.subject ?? null };
      const problems = [...templateProblems(shape, deps.vendors), ...(await fallbackProblems(deps, callerOf(res).teamId, shape.channel, body.fallbackTemplateId, null))];
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
    },
  }),

  route({
    method: 'patch',
    path: '/v1/admin/templates/:id',
    tag: 'admin: templates',
    summary: 'Change a template (a content change of an ACTIVE one needs approval again)',
    access: ADMIN,
    params: idParamSchema,
    body: updateTemplateSchema,
    answers: ok('the changed template', templateViewSchema),
    errors: templateNotFound,
    handler: async ({ deps, res, params, body }) => {
      const current = await teamTemplate(deps, params.id, res);
      const change = body;
      const shape: TemplateShape = {
        channel: current.channel as Channel,
        messageType: change.messageType ?? (current.messageType as MessageType),
        subject: change.subject === undefined ? current.subject : change.subject,
        content: change.content ?? current.content,
        vendorTemplateIds: change.vendorTemplateIds ?? (current.vendorTemplateIds as Record<string, string>),
        shieldPolicy: change.shieldPolicy ?? (current.shieldPolicy as ShieldPolicy),
        bypassTeamSuppression: change.bypassTeamSuppression ?? current.bypassTeamSuppression,
      };
      const problems = [...templateProblems(shape, deps.vendors), ...(await fallbackProblems(deps, current.teamId, shape.channel, change.fallbackTemplateId, current.id))];
      if (problems.length > 0) throw invalidRequest(problems);
      const needsApproval = current.status === 'ACTIVE' && REAPPROVAL_FIELDS.some((field) => change[field] !== undefined);
      const row = await deps.prisma.template.update({
        where: { id: current.id },
        data: { ...change, ...(needsApproval ? { status: 'PENDING_APPROVAL' satisfies TemplateStatus } : {}) },
      });
      res.json(templateView(row));
    },
  }),

  statusRoute('approve', "Approve any team's template (ACTIVE): the platform's content review", PLATFORM, { find: anyTeamTemplate, notFound: { 404: 'TEMPLATE_NOT_FOUND: no such template' } }),
  statusRoute('disable', 'Disable a template', ADMIN, { find: teamTemplate, notFound: templateNotFound }),
];

/** A fallback template must be another template of the same team, on another channel. */
async function fallbackProblems(deps: ApiDeps, teamId: string, channel: Channel, fallbackTemplateId: string | null | undefined, selfId: string | null): Promise<FieldProblem[]> {
  if (!fallbackTemplateId) return [];
  const field = 'fallbackTemplateId';
  if (fallbackTemplateId === selfId) return [{ field, reason: 'a template cannot be its own fallback' }];
  const fallback = await deps.prisma.template.findFirst({ where: { id: fallbackTemplateId, teamId }, select: { channel: true, code: true } });
  if (!fallback) return [{ field, reason: `no template ${fallbackTemplateId} in your team` }];
  if (fallback.channel === channel) return [{ field, reason: `template ${fallback.code} is ${channel} too: a fallback goes to another channel` }];
  return [];
}

/** The template `:id` of the caller's team; another team's template is a 404, as if it did not exist. */
async function teamTemplate(deps: ApiDeps, id: string, res: Response): Promise<Template> {
  logFacts(res).templateRef = id;
  const row = await deps.prisma.template.findFirst({ where: { id, teamId: callerOf(res).teamId } });
  if (!row) throw new HttpError(404, 'TEMPLATE_NOT_FOUND', `no template ${id} in your team`);
  return row;
}

/** The template `:id` of any team (a platform admin's review). */
async function anyTeamTemplate(deps: ApiDeps, id: string, res: Response): Promise<Template> {
  logFacts(res).templateRef = id;
  const row = await deps.prisma.template.findUnique({ where: { id } });
  if (!row) throw new HttpError(404, 'TEMPLATE_NOT_FOUND', `no template ${id}`);
  return row;
}

/** What approving and disabling set, and how the audit log names it. */
const STATUS_ACTIONS = {
  approve: { status: 'ACTIVE', audit: 'template.approve' },
  disable: { status: 'DISABLED', audit: 'template.disable' },
} as const satisfies Record<string, { status: TemplateStatus; audit: AuditAction }>;

async function setStatus(deps: ApiDeps, res: Response, template: Template, action: keyof typeof STATUS_ACTIONS) {
  const { status, audit } = STATUS_ACTIONS[action];
  if (template.status === status) return templateView(template);
  const row = await deps.prisma.$transaction(async (tx) => {
    const updated = await tx.template.update({ where: { id: template.id }, data: { status } });
    await recordAudit(tx, callerOf(res), {
      action: audit, targetId: template.id, targetTeamId: template.teamId,
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
    reroutesMax: row.reroutesMax,
    fallbackTemplateId: row.fallbackTemplateId,
    fallbackAfterSeconds: row.fallbackAfterSeconds,
    bypassTeamSuppression: row.bypassTeamSuppression,
    ambiguityPolicy: row.ambiguityPolicy,
    verifySeconds: row.verifySeconds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Approve or disable: the template with its new status. */
function statusRoute(
  action: keyof typeof STATUS_ACTIONS,
  summary: string,
  access: Access,
  lookup: { find: (deps: ApiDeps, id: string, res: Response) => Promise<Template>; notFound: Record<number, string> },
): ApiRoute {
  return route({
    method: 'post',
    path: `/v1/admin/templates/:id/${action}`,
    tag: 'admin: templates',
    summary,
    access,
    params: idParamSchema,
    answers: ok('the template', templateViewSchema),
    errors: lookup.notFound,
    handler: async ({ deps, res, params }) => {
      res.json(await setStatus(deps, res, await lookup.find(deps, params.id, res), action));
    },
  });
}
