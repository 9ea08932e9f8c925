import { DatabaseError } from 'pg';
import { Prisma } from '../generated/prisma/client';

/** Postgres's SQLSTATE for a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/**
 * Whether Postgres refused a write for a duplicate key: Prisma's P2002 from a
 * model query, a raw query's (`$executeRaw`, P2010) whose driver adapter
 * says UniqueConstraintViolation, or node-postgres's own error for a statement
 * run on the pool (src/db/pool.ts). Decided here once.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof DatabaseError) return error.code === UNIQUE_VIOLATION;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2002') return true;
  const cause = (error.meta as { driverAdapterError?: { cause?: { kind?: unknown } } } | undefined)?.driverAdapterError?.cause;
  return cause?.kind === 'UniqueConstraintViolation';
}
