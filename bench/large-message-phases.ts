/**
 * Where the time of one `POST /v1/messages` for many receivers goes: each
 * phase of the API's work run alone against the real Postgres and Redis,
 * printed in ms. `npx tsx bench/large-message-phases.ts [receivers]`; uses
 * BENCH_DATABASE_URL / BENCH_REDIS_URL like `npm run bench` (migrated and
 * seeded here). Nothing is asserted.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { CountryCode } from 'libphonenumber-js';
import { createReceiverBurstGuard } from '../src/api/receiver-burst';
import { messageRequestSchema } from '../src/api/schemas';
import { loadDevConfig } from '../src/dev-config';
import { ensureDatabase, migrate } from '../src/db/migrate';
import { createPrisma } from '../src/db/prisma';
import { seed } from '../src/db/seed';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/observability/metrics';
import { createSecretBox } from '../src/security/secret-box';
import { normaliseReceiver, receiverSearchKey } from '../src/shared/receivers';
import { freshReceivers } from './receivers';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/herald_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

async function phase<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`  ${name.padEnd(58)} ${(performance.now() - started).toFixed(1).padStart(8)} ms`);
  return result;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 10_000);
  const config = loadDevConfig({ ...process.env, DATABASE_URL, REDIS_URL, LOG_LEVEL: 'silent' });
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);
  const prisma = createPrisma(DATABASE_URL);
  const redis = new Redis(REDIS_URL);
  await seed(prisma, config, createSecretBox(config.SECRET_KEY));
  const template = await prisma.template.findFirstOrThrow({ where: { code: 'welcome_sms' } });
  const apiKey = await prisma.apiKey.findFirstOrThrow({ where: { teamId: template.teamId } });
  const region = config.DEFAULT_PHONE_REGION as CountryCode;
  // A warm-up round (JIT, connection pool), then the measured one.
  for (const round of ['warm-up', 'measured']) {
    console.log(`\n${round}: one request for ${count} receivers`);
    const receivers = freshReceivers(count);
    const body = JSON.stringify({ templateCode: template.code, receivers, variables: { name: 'Li', order: 'A-1001' } });
    const parsed = await phase(`JSON.parse of the body (${Math.round(body.length / 1024)} KiB)`, () => JSON.parse(body) as unknown);
    await phase('receiverSearchKey × N (request log keys)', () => new Set(receivers.map((raw) => receiverSearchKey(raw, region))));
    await phase('zod messageRequestSchema', () => messageRequestSchema.parse(parsed));
    const normalised = await phase('normaliseReceiver × N (libphonenumber)', () => receivers.map((raw) => normaliseReceiver(raw, 'SMS', region)));
    const burst = createReceiverBurstGuard(redis, config, createLogger({ level: 'silent', name: 'phases', pretty: false }), createMetrics());
    await phase('receiver burst cap: Lua calls of 500 receivers (Redis)', () => burst.admit('SMS', receivers));
    const messageId = randomUUID();
    const sends = await phase('build send rows (randomUUID × N)', () => normalised.map((check, index) => ({
      id: randomUUID(), messageId, templateId: template.id, channel: 'SMS', receiver: check.ok ? check.receiver : '', receiverRaw: receivers[index] ?? '',
      content: 'Hello Li', segments: 1, sendAt: null, status: 'ACCEPTED',
    })));
    const message = { id: messageId, apiKeyId: apiKey.id, teamId: template.teamId, templateId: template.id, variables: {}, requestHash: randomUUID(), receiverCount: count };
    await phase('transaction: message + send.createMany + N outbox rows', () => prisma.$transaction([
      prisma.message.create({ data: message }),
      prisma.send.createMany({ data: sends }),
      prisma.outbox.createMany({ data: sends.map((s) => ({ sendId: s.id })) }),
    ], { timeout: 60_000 }));
    const fanOutId = randomUUID();
    const fanOutSends = sends.map((s) => ({ ...s, id: randomUUID(), messageId: fanOutId }));
    await phase('transaction: message + send.createMany + 1 outbox row', () => prisma.$transaction([
      prisma.message.create({ data: { ...message, id: fanOutId, requestHash: randomUUID() } }),
      prisma.send.createMany({ data: fanOutSends }),
      prisma.outbox.create({ data: { messageId: fanOutId } }),
    ], { timeout: 60_000 }));
    const unnestId = randomUUID();
    await prisma.message.create({ data: { ...message, id: unnestId, requestHash: randomUUID() } });
    const ids = sends.map(() => randomUUID());
    await phase('send rows by one INSERT … SELECT unnest(arrays)', () => prisma.$executeRaw`
      INSERT INTO send (id, message_id, template_id, channel, receiver, receiver_raw, content, segments, status)
      SELECT id, ${unnestId}::uuid, ${template.id}::uuid, 'SMS', receiver, receiver_raw, ${'Hello Li'}, 1, 'ACCEPTED'
      FROM unnest(${ids}::uuid[], ${sends.map((s) => s.receiver)}::text[], ${receivers}::text[]) AS t(id, receiver, receiver_raw)`);
    const answer = { messageId, template: template.code, accepted: count, sends: sends.map((s) => ({ sendId: s.id, receiver: s.receiver, status: s.status })) };
    const text = await phase('JSON.stringify of the 202 answer', () => JSON.stringify(answer));
    console.log(`  (answer: ${Math.round(text.length / 1024)} KiB)`);
    await phase('request log row with the receiver arrays', () => prisma.apiRequestLog.create({
      data: { method: 'POST', path: '/v1/messages', status: 202, messageId, receiversRaw: receivers, receiversNormalized: sends.map((s) => s.receiver), receiverKeys: sends.map((s) => s.receiver), durationMs: 0 },
    }));
  }
  redis.disconnect();
  await prisma.$disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
