import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { RequestLogWriter } from './request-log';
import type { Metrics } from '../observability/metrics';
import type { RouteHealth } from '../routing/route-weights';
import type { SecretBox } from '../security/secret-box';
import type { OutboxSignal } from '../sending/outbox-signal';
import type { VendorOutbound } from '../vendors/outbound/vendor-outbound';
import type { VendorRegistry } from '../vendors/types';

export interface ApiDeps {
  config: Config;
  prisma: PrismaClient;
  /** The pool under Prisma, for the hot statements: accepting a message (src/api/send-rows.ts), the request log's batches. */
  pool: Pool;
  redis: Redis;
  temporal: Client;
  /** Wakes this process's outbox relay once a request committed outbox rows. */
  outbox: OutboxSignal;
  vendors: VendorRegistry;
  /** The outbound guard: account destinations are checked with it when saved. */
  outbound: VendorOutbound;
  /** Seals vendor secrets saved through the management API. */
  secrets: SecretBox;
  logger: Logger;
  metrics: Metrics;
  /** Receipts pushed here are counted into each account's delivery rate; the health routes read the weights. */
  routeHealth: RouteHealth;
  /** Writes the request log in batches; the API waits for it when it stops. Absent (tests that build the app alone): the app makes its own. */
  logWrites?: RequestLogWriter;
}
