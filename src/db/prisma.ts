import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

/** Prisma's own default: how long a transaction waits for a pooled connection before it fails (P2028). */
const PRISMA_DEFAULT_MAX_WAIT_MS = 2_000;

/**
 * A Prisma client talking to Postgres through node-postgres (Prisma 7's driver
 * adapter). `transactionMaxWaitMs`: how long a transaction may wait for one of
 * the pool's connections; on a busy machine Prisma's 2 s refused transactions
 * that would have run a moment later (DATABASE_TRANSACTION_MAX_WAIT_MS).
 * Given the process's pool (createDatabasePool), Prisma shares it and `$disconnect()` ends it.
 */
export function createPrisma(database: string | Pool, transactionMaxWaitMs = PRISMA_DEFAULT_MAX_WAIT_MS): PrismaClient {
  const adapter = typeof database === 'string' ? new PrismaPg({ connectionString: database }) : new PrismaPg(database, { disposeExternalPool: true });
  return new PrismaClient({ adapter, transactionOptions: { maxWait: transactionMaxWaitMs } });
}

export type Prisma = PrismaClient;
