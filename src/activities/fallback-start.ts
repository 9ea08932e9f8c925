import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { buildSendInput, type InputDefaults } from '../sending/send-input';
import type { WorkflowStarter } from '../sending/workflow-starter';
import type { FallbackTrigger } from '../shared/contract';
import { countSegments } from '../shared/segments';
import { renderTemplate } from '../shared/template-render';

export interface FallbackRequest {
  sendId: string;
  trigger: FallbackTrigger;
}

/** What the fallback step did: started (or found started) the fallback send, or why there is none. */
export type FallbackStart = { outcome: 'STARTED'; sendId: string; channel: string } | { outcome: 'NONE'; why: string };

/**
 * Starts the fallback of a send: its template's fallback template (another channel) rendered with the
 * message's variables, to the receiver's alternate for that channel, as a send of its own (own id,
 * `fallback_of` the first send, own dedup and quiet hours from its template). The send row and its
 * outbox row are written in one transaction and its workflow started after; if that start fails the
 * outbox relay starts it. Idempotent: one fallback per send (`send.fallback_of` is unique), so a
 * retried activity finds the first one and only makes sure it was started.
 */
export function createFallbackActivities(deps: { prisma: PrismaClient; starter: WorkflowStarter; config: InputDefaults; logger: Logger; metrics: Metrics }) {
  const { prisma } = deps;

  async function start(fallback: { id: string }, apiKeyId: string): Promise<void> {
    const row = await prisma.send.findUniqueOrThrow({ where: { id: fallback.id } });
    const template = await prisma.template.findUniqueOrThrow({ where: { id: row.templateId } });
    const failed = await deps.starter.start([buildSendInput(row, template, apiKeyId, deps.config)]);
    if (failed.length > 0) deps.logger.warn({ sendId: row.id }, 'fallback send recorded; its workflow start failed, the outbox relay starts it');
  }

  return {
    async startFallback(request: FallbackRequest): Promise<FallbackStart> {
      const primary = await prisma.send.findUniqueOrThrow({
        where: { id: request.sendId },
        include: { fallback: { select: { id: true, channel: true } }, message: { select: { apiKeyId: true, variables: true } } },
      });
      if (primary.fallback) {
        await start(primary.fallback, primary.message.apiKeyId);
        return { outcome: 'STARTED', sendId: primary.fallback.id, channel: primary.fallback.channel };
      }
      const template = await prisma.template.findUniqueOrThrow({ where: { id: primary.templateId }, include: { fallbackTemplate: true } });
      const fallback = template.fallbackTemplate;
      if (!fallback || fallback.status !== 'ACTIVE') return { outcome: 'NONE', why: `template ${template.code} has no ACTIVE fallback template` };
      const receiver = ((primary.alternates ?? {}) as Record<string, string>)[fallback.channel];
      if (!receiver) return { outcome: 'NONE', why: `the request gave no ${fallback.channel} alternate for this receiver` };
      const variables = (primary.variables ?? primary.message.variables ?? {}) as Record<string, string>;
      const rendered = renderTemplate(fallback.content, variables);
      if (!rendered.ok) return { outcome: 'NONE', why: `fallback template ${fallback.code} needs variables the message lacks: ${rendered.missing.join(', ')}` };

      const id = randomUUID();
      try {
        await prisma.$transaction([
          prisma.send.create({
            data: {
              id, messageId: primary.messageId, templateId: fallback.id, channel: fallback.channel, receiver, receiverRaw: receiver,
              content: rendered.text, segments: fallback.channel === 'SMS' ? countSegments(rendered.text).segments : 1,
              variables: primary.variables ?? undefined, fallbackOf: primary.id, status: 'ACCEPTED',
            },
          }),
          prisma.outbox.create({ data: { sendId: id } }),
        ]);
      } catch (error) {
        // A retry of this activity after its commit: the fallback is there already.
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
        const existing = await prisma.send.findUniqueOrThrow({ where: { fallbackOf: primary.id }, select: { id: true, channel: true } });
        await start(existing, primary.message.apiKeyId);
        return { outcome: 'STARTED', sendId: existing.id, channel: existing.channel };
      }
      deps.metrics.fallbacksStarted.inc({ from_channel: primary.channel, to_channel: fallback.channel, trigger: request.trigger });
      deps.logger.info({ sendId: primary.id, fallbackSendId: id, channel: fallback.channel, trigger: request.trigger }, 'fallback send started');
      await start({ id }, primary.message.apiKeyId);
      return { outcome: 'STARTED', sendId: id, channel: fallback.channel };
    },
  };
}
