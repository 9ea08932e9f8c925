import { Pool, type QueryResultRow } from 'pg';

/**
 * One process's node-postgres pool. Prisma's driver adapter queries through it (createPrisma), and
 * so do the few hot statements written as SQL (accepting a message): one pool, one connection limit.
 */
export function createDatabasePool(databaseUrl: string): Pool {
  return new Pool({ connectionString: databaseUrl });
}

/** The pool gave no connection within the wait (DATABASE_TRANSACTION_MAX_WAIT_MS): nothing ran. */
export class PoolWaitTimeout extends Error {
  constructor(waitedMs: number) {
    super(`no pooled database connection within ${waitedMs} ms; nothing ran`);
    this.name = 'PoolWaitTimeout';
  }
}

/**
 * One statement on a pooled connection, in one round trip: a single statement is atomic without a
 * transaction to open and commit. The wait for a connection is bounded by `maxWaitMs`
 * (PoolWaitTimeout, nothing ran); a connection that arrives after the caller gave up goes back to the pool.
 */
export async function runStatement<Row extends QueryResultRow>(pool: Pool, text: string, values: unknown[], maxWaitMs: number): Promise<Row[]> {
  const connecting = pool.connect();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new PoolWaitTimeout(maxWaitMs)), maxWaitMs);
  });
  let client;
  try {
    client = await Promise.race([connecting, waited]);
  } catch (error) {
    connecting.then((late) => late.release(), () => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    client.release();
  }
}
