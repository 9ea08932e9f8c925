import type { CountryCode } from 'libphonenumber-js';
import { isFinal, type SendStatus } from '../../shared/states';
import { receiverSearchKey } from '../../shared/receivers';
import { messageListAnswerSchema, messageSendsAnswerSchema, type AnswerOf } from '../answers';
import { callerOf } from '../caller';
import { HttpError } from '../http-error';
import { ok, SEND } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { idParamSchema, messageListQuerySchema, messageSendsQuerySchema } from '../schemas';
import { describeMessage, describeSend } from './send-view';

/**
 * Browsing a team's messages: the latest ones a page at a time, and one
 * message's sends paged and filtered on the server, with the counts of all
 * of them by status (what a live view of a large message polls).
 */
export const messageListRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/messages',
    tag: 'messages',
    summary: "Your team's messages, newest first",
    description: 'A page at a time (`before`: `nextBefore` of the previous page); `template` narrows to one template code. Counts are per message: see its sends.',
    access: SEND,
    query: messageListQuerySchema,
    answers: ok('a page of messages', messageListAnswerSchema),
    handler: async ({ deps, res, query }) => {
      const teamId = callerOf(res).teamId;
      const cursor = query.before ? await deps.prisma.message.findFirst({ where: { id: query.before, teamId }, select: { id: true, createdAt: true } }) : null;
      if (query.before && !cursor) throw new HttpError(400, 'INVALID_REQUEST', 'before: no such message in your team', { fields: [{ field: 'before', reason: 'no such message in your team' }] });
      const rows = await deps.prisma.message.findMany({
        where: {
          teamId,
          ...(query.template ? { template: { code: query.template } } : {}),
          ...(cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
        include: { template: { select: { code: true, channel: true } }, campaignRun: { select: { id: true, campaign: { select: { id: true, name: true } } } } },
      });
      const page = rows.slice(0, query.limit);
      res.json({
        messages: page.map((message) => ({
          ...describeMessage(message),
          campaign: message.campaignRun ? { id: message.campaignRun.campaign.id, name: message.campaignRun.campaign.name, runId: message.campaignRun.id } : null,
        })),
        nextBefore: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null,
      } satisfies AnswerOf<typeof messageListAnswerSchema>);
    },
  }),
  route({
    method: 'get',
    path: '/v1/messages/:id/sends',
    tag: 'messages',
    summary: "A message's sends, paged and filtered, with the counts of all of them by status",
    description:
      'In send id order, a page at a time (`after`: `nextAfter` of the previous page); `status` and `receiver` (any common format) narrow the page and `total`. ' +
      '`statusCounts` and `finalCount` always count every send of the message: poll them to follow a large message or a campaign run.',
    access: SEND,
    params: idParamSchema,
    query: messageSendsQuerySchema,
    answers: ok('a page of sends and the counts', messageSendsAnswerSchema),
    errors: { 404: 'MESSAGE_NOT_FOUND: no such message in your team' },
    handler: async ({ deps, res, params: { id }, query }) => {
      const message = await deps.prisma.message.findFirst({ where: { id, teamId: callerOf(res).teamId }, include: { template: { select: { code: true, channel: true } } } });
      if (!message) throw new HttpError(404, 'MESSAGE_NOT_FOUND', `no message ${id}`);
      const filter = {
        messageId: id,
        ...(query.status ? { status: query.status } : {}),
        ...(query.receiver ? { receiver: receiverSearchKey(query.receiver, deps.config.DEFAULT_PHONE_REGION as CountryCode) } : {}),
      };
      const [byStatus, total, rows] = await Promise.all([
        deps.prisma.send.groupBy({ by: ['status'], where: { messageId: id }, _count: { _all: true } }),
        deps.prisma.send.count({ where: filter }),
        deps.prisma.send.findMany({ where: { ...filter, ...(query.after ? { id: { gt: query.after } } : {}) }, orderBy: { id: 'asc' }, take: query.limit + 1 }),
      ]);
      const page = rows.slice(0, query.limit);
      const statusCounts = Object.fromEntries(byStatus.map((group) => [group.status, group._count._all]));
      res.json({
        ...describeMessage(message),
        statusCounts,
        finalCount: byStatus.filter((group) => isFinal(group.status as SendStatus)).reduce((sum, group) => sum + group._count._all, 0),
        total,
        sends: page.map((send) => describeSend(send, deps.config)),
        nextAfter: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null,
      } satisfies AnswerOf<typeof messageSendsAnswerSchema>);
    },
  }),
];
