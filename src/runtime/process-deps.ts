import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { assertMigrated } from '../db/migrate';
import { createDatabasePool } from '../db/pool';
import { createPrisma } from '../db/prisma';
import type { PrismaClient } from '../generated/prisma/client';
import { createLogger, type Logger } from '../logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { receiptPushUrl } from '../security/receipt-token';
import { createSecretBox, type SecretBox } from '../security/secret-box';
import { outboundPolicy } from '../vendors/outbound-url';
import { createVendorOutbound, type VendorOutbound } from '../vendors/outbound/vendor-outbound';
import { closeVendors, createVendorRegistry } from '../vendors/registry';
import type { VendorRegistry } from '../vendors/types';
import { createRouteHealth, type RouteHealth } from '../routing/route-weights';
import { createRedis, waitForRedis } from './redis';

/** The clients one Herald process owns (API or worker), built once at start, on a database `herald migrate` has brought up to date. */
export interface ProcessDeps {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  /** The pool Prisma queries through, for the hot statements written as SQL (src/db/pool.ts). */
  pool: Pool;
  redis: Redis;
  vendors: VendorRegistry;
  outbound: VendorOutbound;
  secrets: SecretBox;
  metrics: Metrics;
  /** Each account's delivery rate and latency (Redis) and the weights judged from them. */
  routeHealth: RouteHealth;
  close(): Promise<void>;
}

export interface ProcessOptions {
  logger?: Logger;
  /** The clock of the routing health window; tests move it instead of waiting. */
  now?: () => number;
}

export async function buildProcessDeps(config: Config, name: string, options: ProcessOptions = {}): Promise<ProcessDeps> {
  const log = options.logger ?? createLogger({ level: config.LOG_LEVEL, name, nodeEnv: config.NODE_ENV });
  // `herald migrate` (a one-shot job) is the only thing that migrates.
  await assertMigrated(config.DATABASE_URL);
  const pool = createDatabasePool(config.DATABASE_URL);
  const prisma = createPrisma(pool, config.DATABASE_TRANSACTION_MAX_WAIT_MS);
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  if (!(await waitForRedis(redis, 3_000))) log.warn('Redis is not reachable; starting anyway (dedup fails open)');
  const outbound = createVendorOutbound(outboundPolicy(config));
  const vendors = createVendorRegistry(outbound, (account) => receiptPushUrl(config.PUBLIC_BASE_URL, config.RECEIPT_TOKEN_KEY, account));
  return {
    config,
    logger: log,
    prisma,
    pool,
    redis,
    vendors,
    outbound,
    secrets: createSecretBox(config.SECRET_KEY),
    metrics: createMetrics(),
    routeHealth: createRouteHealth(redis, config, log, options.now),
    async close() {
      closeVendors(vendors);
      outbound.close();
      redis.disconnect();
      await prisma.$disconnect();
    },
  };
}
