import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { RouteHealth } from '../routing/route-weights';
import type { Whitelist } from '../screening/whitelist';
import type { SecretBox } from '../security/secret-box';
import type { WorkflowStarter } from '../sending/workflow-starter';
import type { VendorRegistry } from '../vendors/types';
import type { WorkflowRuns } from './run-claim';
import type { VendorBatchSettings } from './vendor-batcher';

/** What activities may touch. src/worker/main.ts builds these once; tests pass their own. */
export interface ActivityDeps {
  prisma: PrismaClient;
  /** The pool under Prisma, for the vendor step's hot statements (vendor-step-rows.ts). */
  pool: Pool;
  redis: Redis;
  vendors: VendorRegistry;
  secrets: SecretBox;
  logger: Logger;
  metrics: Metrics;
  /** Each account's delivery rate and latency, and the effective weights judged from them. */
  routeHealth: RouteHealth;
  /** Test mode's whitelist; null in production. */
  whitelist: Whitelist;
  /** Starts send workflows (the fan-out of large messages), like the API's starter. */
  starter: WorkflowStarter;
  /** Which run of a send's workflow is current: a reset's new run takes the send's records over. */
  workflowRuns: WorkflowRuns;
  /** The template defaults a send's workflow input is built with. */
  config: Config;
  settings: ActivitySettings;
}

export interface ActivitySettings {
  /** Dedup gives up on Redis after this long and lets the send through. */
  dedupTimeoutMs: number;
  /** How long an account list stays cached; bounds how fast a config change reaches workers. */
  accountCacheMs: number;
  /** Longest a send waits for a per-account rate-limit slot inside one activity attempt. */
  rateLimitMaxWaitMs: number;
  circuit: { failureThreshold: number; windowSeconds: number; openSeconds: number };
  /** Sends of one account with the same content share one vendor call (vendor-batcher.ts). */
  vendorBatch: VendorBatchSettings;
}

export const defaultActivitySettings: ActivitySettings = {
  dedupTimeoutMs: 300,
  accountCacheMs: 3_000,
  rateLimitMaxWaitMs: 20_000,
  circuit: { failureThreshold: 5, windowSeconds: 60, openSeconds: 60 },
  vendorBatch: { windowMs: 20, maxSize: 200 },
};
