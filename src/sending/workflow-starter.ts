import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { FAN_OUT_WORKFLOW, fanOutWorkflowId, SEND_WORKFLOW, searchAttributes, sendSummary, sendWorkflowId, type FanOutInput, type SendInput } from '../shared/contract';

export interface WorkflowStarter {
  /**
   * Starts each send's workflow and marks its outbox row; returns the send ids it could not start.
   * `onStarted` is told after each start (a page activity heartbeats on it).
   */
  start(inputs: SendInput[], onStarted?: () => void): Promise<string[]>;
  /** Starts each large message's fan-out workflow and marks its outbox row; returns the message ids it could not start. */
  startFanOuts(messageIds: string[]): Promise<string[]>;
}

const START_CONCURRENCY = 32;

export interface StarterDeps {
  temporal: Client;
  prisma: PrismaClient;
  taskQueue: string;
  logger: Logger;
  fanOut: { pageSize: number; pagesPerRun: number };
}

/** The starter of a Herald process (API, relay, worker), sized by its settings; `taskQueue` where its workflows go. */
export function starterFromConfig(temporal: Client, deps: { prisma: PrismaClient; logger: Logger; config: Config }, taskQueue: string): WorkflowStarter {
  const { config } = deps;
  return createWorkflowStarter({
    temporal, prisma: deps.prisma, taskQueue, logger: deps.logger,
    fanOut: { pageSize: config.FAN_OUT_PAGE_SIZE, pagesPerRun: config.FAN_OUT_PAGES_PER_RUN },
  });
}

export function createWorkflowStarter(deps: StarterDeps): WorkflowStarter {
  async function startOne(input: SendInput): Promise<void> {
    try {
      await deps.temporal.workflow.start(SEND_WORKFLOW, {
        workflowId: sendWorkflowId(input.sendId),
        taskQueue: deps.taskQueue,
        args: [input],
        staticSummary: sendSummary(input),
        staticDetails: `message ${input.messageId}, ${input.messageType} template ${input.templateCode}${input.sendAt ? `, scheduled for ${input.sendAt}` : ''}`,
        typedSearchAttributes: [
          { key: searchAttributes.receiver, value: input.receiver },
          { key: searchAttributes.template, value: input.templateCode },
          { key: searchAttributes.team, value: input.teamId },
          { key: searchAttributes.caller, value: input.callerId },
          { key: searchAttributes.channel, value: input.channel },
          { key: searchAttributes.status, value: input.sendAt ? 'SCHEDULED' : 'ACCEPTED' },
        ],
      });
    } catch (error) {
      // Started before (a retried relay pass, or the API and the relay raced): that is the goal.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  async function startFanOut(messageId: string): Promise<void> {
    const input: FanOutInput = { messageId, pageSize: deps.fanOut.pageSize, pagesPerRun: deps.fanOut.pagesPerRun, after: null, pages: 0, started: 0 };
    try {
      await deps.temporal.workflow.start(FAN_OUT_WORKFLOW, { workflowId: fanOutWorkflowId(messageId), taskQueue: deps.taskQueue, args: [input] });
    } catch (error) {
      // Started before (the API and the relay raced, or the outbox mark was lost): harmless.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  return {
    async startFanOuts(messageIds) {
      const failed: string[] = [];
      const started: string[] = [];
      for (const messageId of messageIds) {
        try {
          await startFanOut(messageId);
          started.push(messageId);
        } catch (error) {
          failed.push(messageId);
          deps.logger.warn({ messageId, err: error }, 'fan-out start failed; the outbox relay will retry');
        }
      }
      if (started.length > 0) {
        await deps.prisma.outbox.updateMany({ where: { messageId: { in: started }, startedAt: null }, data: { startedAt: new Date() } });
      }
      return failed;
    },
    async start(inputs, onStarted) {
      const failed: string[] = [];
      const started: string[] = [];
      let next = 0;
      async function lane(): Promise<void> {
        while (next < inputs.length) {
          const input = inputs[next++];
          try {
            await startOne(input);
            started.push(input.sendId);
            onStarted?.();
          } catch (error) {
            failed.push(input.sendId);
            deps.logger.warn({ sendId: input.sendId, err: error }, 'workflow start failed; the outbox relay will retry');
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, inputs.length) }, lane));
      if (started.length > 0) {
        await deps.prisma.outbox.updateMany({ where: { sendId: { in: started }, startedAt: null }, data: { startedAt: new Date() } });
      }
      return failed;
    },
  };
}
