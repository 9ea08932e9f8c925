import { isDatabaseUnavailable } from '../../src/db/database-unavailable';
import { Prisma } from '../../src/generated/prisma/client';

const prismaError = (code: string, message: string) => new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: 'test' });

describe('isDatabaseUnavailable', () => {
  it('is true for an unreachable or dropped Postgres and for a pool that gave no connection in time', () => {
    expect(isDatabaseUnavailable(prismaError('P1001', "Can't reach database server"))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(prismaError('P2028', 'Transaction API error: Unable to start a transaction in the given time.'))).toBe(true);
  });

  it('is false for queries Postgres refused and for other transaction errors', () => {
    expect(isDatabaseUnavailable(prismaError('P2002', 'Unique constraint failed on the fields: (`code`)'))).toBe(false);
    expect(isDatabaseUnavailable(prismaError('P2028', 'Transaction API error: Transaction already closed: A query cannot be executed on a committed transaction.'))).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });
});
