import type { Config } from '../config';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { NOT_STARTED_STATUSES } from '../shared/states';
import type { OutboxSignal } from './outbox-signal';
import { buildSendInput } from './send-input';
import type { WorkflowStarter } from './workflow-starter';

/** Rows one pass claims: their starts go out 32 at a time (the starter's lanes), their marks in one update. */
const BATCH = 500;
/** A claimed row is left to its relay this long: longer than any pass, short enough for another relay to take over from one that died. */
const LEASE_SECONDS = 120;
/** A row whose start failed waits 2^attempts seconds (attempts capped at 8: at most 256 s) before the next try. */
const BACKOFF_MAX_EXPONENT = 8;

/**
 * Starts the workflows of accepted sends, and the fan-out workflows of large
 * messages: the API commits outbox rows and answers; the relay of its
 * process, woken by `OutboxSignal`, starts them in batches at Temporal's
 * pace (so acceptance never waits for Temporal), and every relay polls for
 * what is left (Temporal was down, a process died after commit). Several
 * relays may run: a pass claims rows with SKIP LOCKED under a lease; a failed
 * start waits with a growing backoff.
 */
export function createOutboxRelay(deps: { prisma: PrismaClient; starter: WorkflowStarter; config: Config; logger: Logger; metrics: Metrics }) {
  const { prisma } = deps;

  /** Claimed rows: sends to start, and large messages whose fan-out to start. */
  async function claim(): Promise<{ sendIds: string[]; messageIds: string[] }> {
    const rows = await prisma.$queryRaw<Array<{ send_id: string | null; message_id: string | null }>>`
      UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS})
      WHERE id IN (
        SELECT id FROM outbox
        WHERE started_at IS NULL AND next_attempt_at <= now()
        ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING send_id::text, message_id::text`;
    return {
      sendIds: rows.flatMap((r) => (r.send_id === null ? [] : [r.send_id])),
      messageIds: rows.flatMap((r) => (r.message_id === null ? [] : [r.message_id])),
    };
  }

  /** Rows whose start failed: the error, and the next try after the backoff instead of the lease. */
  async function backOff(rows: { sendIds: string[] } | { messageIds: string[] }, error: string): Promise<void> {
    const ids = 'sendIds' in rows ? rows.sendIds : rows.messageIds;
    if (ids.length === 0) return;
    const retryAt = Prisma.sql`now() + interval '1 second' * power(2, least(attempts, ${BACKOFF_MAX_EXPONENT}))`;
    await ('sendIds' in rows
      ? prisma.$executeRaw`UPDATE outbox SET last_error = ${error}, next_attempt_at = ${retryAt} WHERE send_id = ANY(${ids}::uuid[]) AND started_at IS NULL`
      : prisma.$executeRaw`UPDATE outbox SET last_error = ${error}, next_attempt_at = ${retryAt} WHERE message_id = ANY(${ids}::uuid[]) AND started_at IS NULL`);
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
    await backOff({ messageIds: failed }, 'fan-out workflow start failed');
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
    await backOff({ sendIds: failed }, 'workflow start failed');
    deps.logger.debug({ relayed: inputs.length - failed.length, failed: failed.length }, 'outbox relay pass');
    return sendIds.length;
  }

  async function measureBacklog(): Promise<void> {
    deps.metrics.outboxBacklog.set(await prisma.outbox.count({ where: { startedAt: null } }));
  }

  return {
    relayOnce,
    /**
     * Runs passes until `signal` aborts: a pass that relayed rows is followed at once by the next (rows
     * committed while its starts went out are not left for a whole poll); an empty pass waits for `wake`
     * (rows committed by this process) or OUTBOX_RELAY_POLL_MS (rows of other processes, retries).
     */
    async run(signal: AbortSignal, wake: OutboxSignal): Promise<void> {
      const idleMs = deps.config.OUTBOX_RELAY_POLL_MS;
      while (!signal.aborted) {
        let relayed = 0;
        try {
          relayed = await relayOnce();
          await measureBacklog();
        } catch (error) {
          deps.logger.warn({ err: error }, 'outbox relay pass failed');
        }
        if (relayed === 0) await wake.wait(idleMs, signal);
      }
    },
  };
}
