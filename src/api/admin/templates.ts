import type { Response } from 'express';
import { Prisma, type Template } from '../../generated/prisma/client';
import type { Channel, MessageType, ShieldPolicy } from '../../shared/states';
import type { TemplateStatus } from '../../shared/template-status';
import { placeholdersOf } from '../../shared/template-render';
import { callerOf, logFacts } from '../caller';
import type { AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { idParamSchema } from '../schemas';
import { invalidRequest } from '../validate';
import { templateListAnswerSchema, templateViewSchema } from './answers';
import { createTemplateSchema, templateListQuerySchema, updateTemplateSchema, type UpdateTemplateRequest } from './schemas';
import { templateProblems, type TemplateShape } from './template-rules';
import { ADMIN, ok } from '../openapi/access';
import { route, type ApiRoute } from '../route';

/** Fields whose change alters what receivers get, so an ACTIVE template needs approval again. */
const REAPPROVAL_FIELDS = ['content', 'subject', 'messageType', 'vendorTemplateIds'] as const satisfies ReadonlyArray<keyof UpdateTemplateRequest>;

const templateNotFound = { 404: 'TEMPLATE_NOT_FOUND: no such template in your team' };

/** Templates of the admin's team: create, change, approve, disable, read. */
export const adminTemplateRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/admin/templates',
    tag: 'admin: templates',
    summary: "Your team's templates",
    access: ADMIN,
    query: templateListQuerySchema,
    answers: ok('the templates, by code', templateListAnswerSchema),
    handler: async ({ deps, res, query }) => {
      const rows = await deps.prisma.template.findMany({ where: { teamId: callerOf(res).teamId, ...query }, orderBy: { code: 'asc' } });
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
    errors: { 409: 'TEMPLATE_CODE_TAKEN: a template with this code exists' },
    handler: async ({ deps, res, body }) => {
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
      const problems = templateProblems(shape, deps.vendors);
      if (problems.length > 0) throw invalidRequest(problems);
      const needsApproval = current.status === 'ACTIVE' && REAPPROVAL_FIELDS.some((field) => change[field] !== undefined);
      const row = await deps.prisma.template.update({
        where: { id: current.id },
        data: { ...change, ...(needsApproval ? { status: 'PENDING_APPROVAL' satisfies TemplateStatus } : {}) },
      });
      res.json(templateView(row));
    },
  }),

  statusRoute('approve', 'ACTIVE', 'Approve a template (ACTIVE)'),
  statusRoute('disable', 'DISABLED', 'Disable a template'),
];

/** The template `:id` of the caller's team; another team's template is a 404, as if it did not exist. */
async function teamTemplate(deps: ApiDeps, id: string, res: Response): Promise<Template> {
  logFacts(res).templateRef = id;
  const row = await deps.prisma.template.findFirst({ where: { id, teamId: callerOf(res).teamId } });
  if (!row) throw new HttpError(404, 'TEMPLATE_NOT_FOUND', `no template ${id} in your team`);
  return row;
}

async function setStatus(deps: ApiDeps, template: Template, status: TemplateStatus) {
  const row = template.status === status ? template : await deps.prisma.template.update({ where: { id: template.id }, data: { status } });
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

/** Approve or disable: the template with its new status. */
function statusRoute(action: 'approve' | 'disable', status: TemplateStatus, summary: string): ApiRoute {
  return route({
    method: 'post',
    path: `/v1/admin/templates/:id/${action}`,
    tag: 'admin: templates',
    summary,
    access: ADMIN,
    params: idParamSchema,
    answers: ok('the template', templateViewSchema),
    errors: templateNotFound,
    handler: async ({ deps, res, params }) => {
      res.json(await setStatus(deps, await teamTemplate(deps, params.id, res), status));
    },
  });
}
