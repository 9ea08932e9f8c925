import { Prisma } from '../generated/prisma/client';

/**
 * Whether Postgres refused a write for a duplicate key: Prisma's P2002 from a
 * model query, or a raw query's (`$executeRaw`, P2010) whose driver adapter
 * says UniqueConstraintViolation. Decided here once.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2002') return true;
  const cause = (error.meta as { driverAdapterError?: { cause?: { kind?: unknown } } } | undefined)?.driverAdapterError?.cause;
  return cause?.kind === 'UniqueConstraintViolation';
}
