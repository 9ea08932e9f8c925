import { runInNewContext } from 'node:vm';
import { DatabaseError } from 'pg';
import { isDatabaseUnavailable } from '../../src/db/database-unavailable';
import { PoolWaitTimeout } from '../../src/db/pool';
import { isUniqueViolation } from '../../src/db/unique-violation';
import { Prisma } from '../../src/generated/prisma/client';

const pgError = (code: string) => Object.assign(new DatabaseError('postgres says no', 0, 'error'), { code });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

const prismaError = (code: string, message: string) => new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: 'test' });

describe('isDatabaseUnavailable', () => {
  it('is true for an unreachable or dropped Postgres and for a pool that gave no connection in time', () => {
    expect(isDatabaseUnavailable(prismaError('P1001', "Can't reach database server"))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(prismaError('P2028', 'Transaction API error: Unable to start a transaction in the given time.'))).toBe(true);
  });

  it('is true for the same on a statement run on the pool itself: no connection in time, a refused socket, a server shutting down or full', () => {
    expect(isDatabaseUnavailable(new PoolWaitTimeout(1000))).toBe(true);
    expect(isDatabaseUnavailable(socketError('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('57P01'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('53300'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('08006'))).toBe(true);
  });

  it('is false for a statement Postgres refused on the pool', () => {
    expect(isDatabaseUnavailable(pgError('23505'))).toBe(false);
    expect(isDatabaseUnavailable(pgError('22P02'))).toBe(false);
  });

  it('is false for queries Postgres refused and for other transaction errors', () => {
    expect(isDatabaseUnavailable(prismaError('P2002', 'Unique constraint failed on the fields: (`code`)'))).toBe(false);
    expect(isDatabaseUnavailable(prismaError('P2028', 'Transaction API error: Transaction already closed: A query cannot be executed on a committed transaction.'))).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });
});

describe('isDatabaseUnavailable across realms', () => {
  it('knows a socket error made by another realm\'s Error (Node\'s own, seen from a vm context such as Jest\'s)', () => {
    const OtherError = runInNewContext('Error') as ErrorConstructor;
    const refused = Object.assign(new OtherError('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(refused instanceof Error).toBe(false);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new OtherError('syntax error at or near "SELEC"'))).toBe(false);
    expect(isDatabaseUnavailable({ code: 'ECONNREFUSED', message: 'a plain object is no error' })).toBe(false);
  });
});

describe('isUniqueViolation', () => {
  it('is true for a duplicate key from Prisma or from a statement on the pool, false for other refusals', () => {
    expect(isUniqueViolation(prismaError('P2002', 'Unique constraint failed'))).toBe(true);
    expect(isUniqueViolation(pgError('23505'))).toBe(true);
    expect(isUniqueViolation(pgError('23503'))).toBe(false);
    expect(isUniqueViolation(socketError('ECONNREFUSED'))).toBe(false);
  });
});
