import { types } from 'node:util';
import { PoolWaitTimeout } from './pool';

/**
 * Whether an error from Prisma (over @prisma/adapter-pg), or from a statement
 * run on the pool itself (src/db/pool.ts), means Postgres could not be
 * reached, as opposed to a query Postgres refused. Decided here once:
 * the API answers it with 503 (nothing accepted), the worker holds the send
 * until Postgres is back instead of counting it against a vendor.
 */

/** Prisma's connection error codes: can't reach, timed out, closed the connection, ... */
const CONNECTION_CODE = /^P10\d\d$/;
/** The driver adapter's kinds of a lost or refused connection. */
const CONNECTION_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** node-postgres ends a connection the server (or the network) dropped with this message and no code. */
const PG_TERMINATED = 'Connection terminated';
/**
 * Prisma's transaction errors share one code (P2028); this one means the
 * transaction never started: the pool gave no connection within maxWait
 * (DATABASE_TRANSACTION_MAX_WAIT_MS), or the client was closed while it
 * waited. Nothing of it committed. Other P2028s (a query on a committed or
 * expired transaction) are not an unavailable database.
 */
const TRANSACTION_ERROR_CODE = 'P2028';
const NO_CONNECTION_IN_TIME = 'Unable to start a transaction in the given time';
/** node-postgres's own: the socket's error codes, and Postgres's SQLSTATEs for a server going away or full (class 08, 57P0x, 53300). */
const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
const PG_CONNECTION_EXCEPTION_CLASS = '08';

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof PoolWaitTimeout) return true;
  // A socket error is made by Node's own `Error`, which another realm (a vm context, Jest's sandbox) does not share.
  if (!(error instanceof Error) && !types.isNativeError(error)) return false;
  const { code, meta } = error as Error & { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (typeof code === 'string' && CONNECTION_CODE.test(code)) return true;
  if (typeof code === 'string' && (PG_CONNECTION_CODES.has(code) || code.startsWith(PG_CONNECTION_EXCEPTION_CLASS))) return true;
  const kind = meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && CONNECTION_KINDS.has(kind)) return true;
  if (code === TRANSACTION_ERROR_CODE && error.message.includes(NO_CONNECTION_IN_TIME)) return true;
  return error.message.includes(PG_TERMINATED);
}
