import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';
import type { Scope } from '../../src/api/scopes';
import { apiKeyPrefix, hashApiKey } from '../../src/security/api-keys';

export interface TestCaller {
  apiKeyId: string;
  teamId: string;
  key: string;
  /** Headers that authenticate as this caller in `herald.request`. */
  auth: Record<string, string>;
}

/** A new API key (stored hashed, like real ones) for a team, created when missing. */
export async function createCaller(prisma: PrismaClient, teamName: string, scopes: Scope[]): Promise<TestCaller> {
  const team = await prisma.team.upsert({ where: { name: teamName }, create: { name: teamName }, update: {} });
  const key = `hk_test_${randomBytes(16).toString('hex')}`;
  const row = await prisma.apiKey.create({
    data: { teamId: team.id, name: `test ${scopes.join('+') || 'no scopes'}`, keyPrefix: apiKeyPrefix(key), keyHash: hashApiKey(key), scopes },
  });
  return { apiKeyId: row.id, teamId: team.id, key, auth: { authorization: `Bearer ${key}` } };
}
