import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { NOT_STARTED_STATUSES } from '../shared/states';
import { buildSendInput } from './send-input';
import type { WorkflowStarter } from './workflow-starter';

const BATCH = 200;
/** The API starts workflows itself right after commit; the relay only takes rows older than this. */
const GRACE_SECONDS = 5;

/**
 * Starts the workflows of accepted sends, and the fan-out workflows of large
 * messages, that are not started yet (Temporal was down, or the process died
 * after commit). Several relays may run: a
 * pass claims rows with SKIP LOCKED and leases them with a growing backoff.
 */
export function createOutboxRelay(deps: { prisma: PrismaClient; starter: WorkflowStarter; config: Config; logger: Logger; metrics: Metrics }) {
  const { prisma } = deps;

  /** Claimed rows: sends to start one by one, and large messages whose fan-out to start. */
  async function claim(): Promise<{ sendIds: string[]; messageIds: string[] }> {
    const rows = await prisma.$queryRaw<Array<{ send_id: string | null; message_id: string | null }>>`
      UPDATE outbox SET attempts = attempts + 1,
        next_attempt_at = now() + interval '1 second' * power(2, least(attempts + 1, 8))
      WHERE id IN (
        SELECT id FROM outbox
        WHERE started_at IS NULL AND next_attempt_at <= now() AND created_at < now() - make_interval(secs => ${GRACE_SECONDS})
        ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING send_id::text, message_id::text`;
    return {
      sendIds: rows.flatMap((r) => (r.send_id === null ? [] : [r.send_id])),
      messageIds: rows.flatMap((r) => (r.message_id === null ? [] : [r.message_id])),
    };
  }

  async function relayOnce(): Promise<number> {
    const { sendIds, messageIds } = await claim();
    const fanOuts = await relayFanOuts(messageIds);
    return fanOuts + (await relaySends(sendIds));
  }

  /** A fan-out start is idempotent (`message-<id>`), and its pages skip sends that were started already. */
  async function relayFanOuts(messageIds: string[]): Promise<number> {
    if (messageIds.length === 0) return 0;
    const failed = await deps.starter.startFanOuts(messageIds);
    if (failed.length > 0) {
      await prisma.outbox.updateMany({ where: { messageId: { in: failed } }, data: { lastError: 'fan-out workflow start failed' } });
    }
    deps.logger.info({ relayed: messageIds.length - failed.length, failed: failed.length }, 'outbox relay pass: fan-outs');
    return messageIds.length;
  }

  async function relaySends(sendIds: string[]): Promise<number> {
    if (sendIds.length === 0) return 0;
    // A send that left its first state was started already (only its outbox mark was lost) or canceled before start.
    // A SCHEDULED one may or may not have started (the workflow writes SCHEDULED again): starting it twice is harmless.
    await prisma.outbox.updateMany({ where: { sendId: { in: sendIds }, send: { status: { notIn: [...NOT_STARTED_STATUSES] } } }, data: { startedAt: new Date() } });
    const sends = await prisma.send.findMany({
      where: { id: { in: sendIds }, status: { in: [...NOT_STARTED_STATUSES] } },
      include: { message: { select: { apiKeyId: true, template: true } } },
    });
    // A fallback send has its own template (another channel); every other send its message's.
    const fallbackTemplateIds = [...new Set(sends.filter((s) => s.templateId !== s.message.template.id).map((s) => s.templateId))];
    const own = new Map((fallbackTemplateIds.length > 0 ? await prisma.template.findMany({ where: { id: { in: fallbackTemplateIds } } }) : []).map((t) => [t.id, t]));
    const inputs = sends.map((s) => buildSendInput(s, own.get(s.templateId) ?? s.message.template, s.message.apiKeyId, deps.config));
    const failed = await deps.starter.start(inputs);
    if (failed.length > 0) {
      await prisma.outbox.updateMany({ where: { sendId: { in: failed } }, data: { lastError: 'workflow start failed' } });
    }
    deps.logger.info({ relayed: inputs.length - failed.length, failed: failed.length }, 'outbox relay pass');
    return inputs.length;
  }

  async function measureBacklog(): Promise<void> {
    deps.metrics.outboxBacklog.set(await prisma.outbox.count({ where: { startedAt: null } }));
  }

  return {
    relayOnce,
    /** Runs passes until `signal` aborts; a full batch runs the next pass at once. */
    async run(signal: AbortSignal, idleMs = 2_000): Promise<void> {
      while (!signal.aborted) {
        let relayed = 0;
        try {
          relayed = await relayOnce();
          await measureBacklog();
        } catch (error) {
          deps.logger.warn({ err: error }, 'outbox relay pass failed');
        }
        if (relayed < BATCH) await abortableDelay(idleMs, signal);
      }
    },
  };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
