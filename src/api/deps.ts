import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { SecretBox } from '../security/secret-box';
import type { WorkflowStarter } from '../sending/workflow-starter';
import type { VendorRegistry } from '../vendors/types';

export interface ApiDeps {
  config: Config;
  prisma: PrismaClient;
  redis: Redis;
  temporal: Client;
  starter: WorkflowStarter;
  vendors: VendorRegistry;
  /** Seals vendor secrets saved through the management API. */
  secrets: SecretBox;
  logger: Logger;
  metrics: Metrics;
}
