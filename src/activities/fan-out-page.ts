import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { buildSendInput, type InputDefaults } from '../sending/send-input';
import type { WorkflowStarter } from '../sending/workflow-starter';
import type { FanOutPage } from '../shared/contract';
import { NOT_STARTED_STATUSES } from '../shared/states';


/** Failure type of a page whose starts did not all succeed: Temporal retries the page (starts are idempotent). */
export const FAN_OUT_PAGE_INCOMPLETE = 'FanOutPageIncomplete';

export interface FanOutPageRequest {
  messageId: string;
  /** The last send id of the previous page (keyset on send id); null: the first page. */
  after: string | null;
  pageSize: number;
}

/**
 * One page of a large message: the next `pageSize` sends by id, of which
 * those still waiting for their start get their workflow started with the
 * same starter the API uses. Idempotent: a retried page starts nothing twice
 * (workflow id `send-<sendId>`) and skips sends that moved on. Heartbeats as
 * its starts go out (SEND_PAGE's heartbeat timeout).
 */
export function createFanOutActivities(deps: { prisma: PrismaClient; starter: WorkflowStarter; config: InputDefaults; logger: Logger }) {
  return {
    async startSendPage(request: FanOutPageRequest): Promise<FanOutPage> {
      const message = await deps.prisma.message.findUniqueOrThrow({ where: { id: request.messageId }, select: { apiKeyId: true, template: true } });
      const sends = await deps.prisma.send.findMany({
        // A fallback send (another template) is started by its first send's workflow, never by the message's pages.
        where: { messageId: request.messageId, fallbackOf: null, ...(request.after === null ? {} : { id: { gt: request.after } }) },
        orderBy: { id: 'asc' },
        take: request.pageSize,
        select: { id: true, messageId: true, receiver: true, channel: true, content: true, sendAt: true, status: true },
      });
      const waiting = sends.filter((s) => (NOT_STARTED_STATUSES as readonly string[]).includes(s.status));
      const heartbeat = (): void => Context.current().heartbeat({ after: request.after, started: waiting.length });
      heartbeat();
      const failed = await deps.starter.start(waiting.map((s) => buildSendInput(s, message.template, message.apiKeyId, deps.config)), heartbeat);
      if (failed.length > 0) {
        throw ApplicationFailure.create({ type: FAN_OUT_PAGE_INCOMPLETE, message: `${failed.length} of ${waiting.length} workflow starts failed; the page is retried` });
      }
      deps.logger.debug({ messageId: request.messageId, started: waiting.length, page: sends.length }, 'fan-out page started');
      return { started: waiting.length, next: sends.length < request.pageSize ? null : (sends.at(-1)?.id ?? null) };
    },
  };
}
