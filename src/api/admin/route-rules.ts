import { changedFields, recordAudit } from '../../audit/audit-log';
import { Prisma, type RouteRule as RouteRuleRow } from '../../generated/prisma/client';
import { toRule } from '../../routing/route-rule-directory';
import { ambiguousWith, describeRule, prefixProblem, type RouteRule } from '../../routing/route-rules';
import type { Channel } from '../../shared/states';
import type { AnswerOf } from '../answers';
import { callerOf } from '../caller';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { ok, PLATFORM, REMOVED } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { idParamSchema } from '../schemas';
import { invalidRequest, type FieldProblem } from '../validate';
import { routeRuleListAnswerSchema, routeRuleViewSchema } from './answers';
import { createRouteRuleSchema, updateRouteRuleSchema } from './schemas';

/**
 * Routes by destination (src/routing/route-rules.ts): which accounts the
 * sends of a channel, prefix and message type may use. Platform admins only,
 * every change in the audit log; workers see a change within ACCOUNT_CACHE_MS.
 */
const ruleNotFound = { 404: 'ROUTE_RULE_NOT_FOUND: no such rule' };
const RULE_REFUSED =
  'INVALID_REQUEST naming the field: `prefix` not + and digits starting with a country calling code, or given for a channel other than SMS, ' +
  'or the same channel, prefix and message type as another rule (ambiguous); `accounts[i]` unknown or of another channel';

export const adminRouteRuleRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/admin/routes',
    tag: 'admin: routes',
    summary: 'Route rules: which accounts sends to a destination may use',
    access: PLATFORM,
    answers: ok('every rule, in the order they are matched per channel', routeRuleListAnswerSchema),
    handler: async ({ deps, res }) => {
      const rows = await deps.prisma.routeRule.findMany({ orderBy: [{ channel: 'asc' }, { createdAt: 'asc' }] });
      const ordered = [...rows].sort((a, b) => a.channel.localeCompare(b.channel) || (b.prefix?.length ?? 0) - (a.prefix?.length ?? 0) || Number(b.messageType !== null) - Number(a.messageType !== null));
      res.json({ rules: await ruleAnswers(deps, ordered) } satisfies AnswerOf<typeof routeRuleListAnswerSchema>);
    },
  }),

  route({
    method: 'post',
    path: '/v1/admin/routes',
    tag: 'admin: routes',
    summary: 'Create a route rule',
    description:
      'Sends of `channel` (and `messageType`) whose receiver starts with `prefix` use only `accounts`, each with its own weight and priority. ' +
      'The longest matching prefix wins, then a rule naming the message type; a send no rule matches uses every enabled account of its channel.',
    access: PLATFORM,
    body: createRouteRuleSchema,
    answers: { 201: { description: 'created', schema: routeRuleViewSchema } },
    errors: { 400: RULE_REFUSED },
    handler: async ({ deps, res, body }) => {
      const rule = { channel: body.channel, prefix: body.prefix, messageType: body.messageType, accountIds: body.accounts };
      await checkRule(deps, rule, null);
      const row = await refuseAmbiguous(rule, () => deps.prisma.$transaction(async (tx) => {
        const created = await tx.routeRule.create({ data: rule });
        await recordAudit(tx, callerOf(res), { action: 'route_rule.create', targetId: created.id, targetTeamId: null, changes: changedFields(deletedFields(created), auditedFields(created)) });
        return created;
      }));
      res.status(201).json(await ruleAnswer(deps, row));
    },
  }),

  route({
    method: 'patch',
    path: '/v1/admin/routes/:id',
    tag: 'admin: routes',
    summary: 'Change a route rule (its prefix, message type or accounts)',
    access: PLATFORM,
    params: idParamSchema,
    body: updateRouteRuleSchema,
    answers: ok('the changed rule', routeRuleViewSchema),
    errors: { 400: RULE_REFUSED, ...ruleNotFound },
    handler: async ({ deps, res, params, body }) => {
      const current = await findRule(deps, params.id);
      // Written only through this API: its channel and message type are Herald's.
      const stored = toRule(current, current.channel as Channel);
      const rule = {
        channel: current.channel as Channel,
        prefix: body.prefix === undefined ? current.prefix : body.prefix,
        messageType: body.messageType === undefined ? (stored?.messageType ?? null) : body.messageType,
        accountIds: body.accounts ?? current.accountIds,
      };
      await checkRule(deps, rule, current.id);
      const row = await refuseAmbiguous(rule, () => deps.prisma.$transaction(async (tx) => {
        const updated = await tx.routeRule.update({ where: { id: current.id }, data: { prefix: rule.prefix, messageType: rule.messageType, accountIds: rule.accountIds } });
        await recordAudit(tx, callerOf(res), { action: 'route_rule.update', targetId: current.id, targetTeamId: null, changes: changedFields(auditedFields(current), auditedFields(updated)) });
        return updated;
      }));
      res.json(await ruleAnswer(deps, row));
    },
  }),

  route({
    method: 'delete',
    path: '/v1/admin/routes/:id',
    tag: 'admin: routes',
    summary: "Delete a route rule (its sends fall back to a shorter prefix, or the channel's default route)",
    access: PLATFORM,
    params: idParamSchema,
    answers: REMOVED,
    errors: ruleNotFound,
    handler: async ({ deps, res, params }) => {
      const current = await findRule(deps, params.id);
      await deps.prisma.$transaction(async (tx) => {
        await tx.routeRule.delete({ where: { id: current.id } });
        await recordAudit(tx, callerOf(res), { action: 'route_rule.delete', targetId: current.id, targetTeamId: null, changes: changedFields(auditedFields(current), deletedFields(current)) });
      });
      res.status(204).end();
    },
  }),
];

/** What the audit log records of a rule. */
function auditedFields(row: RouteRuleRow): Record<string, unknown> {
  return { channel: row.channel, prefix: row.prefix, messageType: row.messageType, accounts: row.accountIds };
}

/** A rule before it was created or after it was deleted: every field null. */
function deletedFields(row: RouteRuleRow): Record<string, unknown> {
  return Object.fromEntries(Object.keys(auditedFields(row)).map((field) => [field, null]));
}

async function findRule(deps: ApiDeps, id: string): Promise<RouteRuleRow> {
  const row = await deps.prisma.routeRule.findUnique({ where: { id } });
  if (!row) throw new HttpError(404, 'ROUTE_RULE_NOT_FOUND', `no route rule ${id}`);
  return row;
}

/**
 * A 400 naming each problem: a bad prefix, an account that is unknown or of
 * another channel, or a rule with the same channel, prefix and message type
 * as another (which of the two a send takes would be undecided).
 */
async function checkRule(deps: ApiDeps, rule: Omit<RouteRule, 'id'>, exceptId: string | null): Promise<void> {
  const problems: FieldProblem[] = [];
  const prefix = prefixProblem(rule.prefix, rule.channel);
  if (prefix) problems.push({ field: 'prefix', reason: prefix });
  const accounts = await deps.prisma.account.findMany({ where: { id: { in: rule.accountIds } }, select: { id: true, name: true, channel: true } });
  rule.accountIds.forEach((id, i) => {
    const account = accounts.find((a) => a.id === id);
    if (!account) problems.push({ field: `accounts[${i}]`, reason: `no account ${id}` });
    else if (account.channel !== rule.channel) problems.push({ field: `accounts[${i}]`, reason: `account ${account.name} sends ${account.channel}, not ${rule.channel}` });
  });
  const others = (await deps.prisma.routeRule.findMany({ where: { channel: rule.channel } })).map((row) => toRule(row, rule.channel)).filter((r) => r !== null);
  const clash = ambiguousWith(others, rule, exceptId);
  if (clash) problems.push(ambiguity(rule, clash.id));
  if (problems.length > 0) throw invalidRequest(problems);
}

function ambiguity(rule: Pick<RouteRule, 'channel' | 'prefix' | 'messageType'>, otherId: string): FieldProblem {
  return { field: 'prefix', reason: `route rule ${otherId} already routes ${describeRule(rule)}: change that rule instead` };
}

/** A write that lost a race with another rule of the same channel, prefix and message type is the same 400. */
async function refuseAmbiguous(rule: Pick<RouteRule, 'channel' | 'prefix' | 'messageType'>, write: () => Promise<RouteRuleRow>): Promise<RouteRuleRow> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw invalidRequest([ambiguity(rule, 'another')]);
    throw error;
  }
}

type RuleAccount = { id: string; name: string; provider: string; enabled: boolean };

/** Rules as answered, with their accounts by name (one query for all of them). */
async function ruleAnswers(deps: ApiDeps, rows: readonly RouteRuleRow[]): Promise<Array<AnswerOf<typeof routeRuleViewSchema>>> {
  const accounts = await deps.prisma.account.findMany({
    where: { id: { in: [...new Set(rows.flatMap((row) => row.accountIds))] } },
    select: { id: true, name: true, provider: true, enabled: true },
  });
  return rows.map((row) => ruleView(row, accounts));
}

async function ruleAnswer(deps: ApiDeps, row: RouteRuleRow): Promise<AnswerOf<typeof routeRuleViewSchema>> {
  const accounts = await deps.prisma.account.findMany({ where: { id: { in: row.accountIds } }, select: { id: true, name: true, provider: true, enabled: true } });
  return ruleView(row, accounts);
}

function ruleView(row: RouteRuleRow, accounts: readonly RuleAccount[]): AnswerOf<typeof routeRuleViewSchema> {
  return {
    id: row.id,
    channel: row.channel,
    prefix: row.prefix,
    messageType: row.messageType,
    description: describeRule(row),
    accounts: row.accountIds.map((id) => accounts.find((account) => account.id === id)).filter((account) => account !== undefined),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
