/**
 * Whether an error from Prisma (over @prisma/adapter-pg) means Postgres could
 * not be reached, as opposed to a query Postgres refused. Decided here once:
 * the API answers it with 503 (nothing accepted), the worker holds the send
 * until Postgres is back instead of counting it against a vendor.
 */

/** Prisma's connection error codes: can't reach, timed out, closed the connection, ... */
const CONNECTION_CODE = /^P10\d\d$/;
/**
 * A transaction that could not get a pooled connection in time (maxWait) or whose
 * client was closed under it: it never committed, and the database was not there for it.
 */
const TRANSACTION_NOT_STARTED = 'P2028';
/** The driver adapter's kinds of a lost or refused connection. */
const CONNECTION_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** node-postgres ends a connection the server (or the network) dropped with this message and no code. */
const PG_TERMINATED = 'Connection terminated';

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, meta } = error as Error & { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (typeof code === 'string' && (CONNECTION_CODE.test(code) || code === TRANSACTION_NOT_STARTED)) return true;
  const kind = meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && CONNECTION_KINDS.has(kind)) return true;
  return error.message.includes(PG_TERMINATED);
}
