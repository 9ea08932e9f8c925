import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { ApiKey, PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { apiKeyPrefix, hashApiKey } from '../security/api-keys';
import { logFacts } from './caller';
import { csrfSatisfied, CSRF_HEADER, type ConsoleSessions } from './console/console-session';
import { HttpError } from './http-error';
import { recordKeyUse } from './key-usage';
import type { LookupCache } from './lookup-cache';

const INVALID_KEY = 'missing or invalid API key';

/**
 * `Authorization: Bearer <key>`, or the console's session cookie (src/api/console):
 * a failure says nothing about why (missing, unknown, revoked and wrong keys
 * answer alike), and is logged with the path and address, never the key. A
 * request made with the session cookie that changes anything must carry the
 * session's CSRF token. A success records the key's last use. Bearer keys'
 * rows come through `keys` (API_LOOKUP_CACHE_MS): a revoked key is refused
 * within that time by every API process.
 */
export function authenticate(prisma: PrismaClient, logger: Logger, sessions: ConsoleSessions, keys: LookupCache<ApiKey>): RequestHandler {
  return async (req, res, next) => {
    const bySession = req.get('authorization') === undefined && sessions.present(req);
    const row = bySession ? await sessionKey(prisma, sessions, req) : await activeKey(prisma, bearerKey(req), keys);
    if (!row) {
      logger.warn({ path: req.path, ip: req.ip, via: bySession ? 'console session' : 'bearer' }, 'authentication failed');
      throw new HttpError(401, 'UNAUTHENTICATED', bySession ? 'the console session has ended or its API key was revoked; sign in again' : INVALID_KEY);
    }
    logFacts(res).caller = { apiKeyId: row.id, teamId: row.teamId, scopes: row.scopes };
    recordKeyUse(prisma, logger, row);
    next();
  };
}

/** The key row of `key` when it exists, is not revoked and its hash matches; null otherwise. */
export async function activeKey(prisma: PrismaClient, key: string | undefined, keys?: LookupCache<ApiKey>): Promise<ApiKey | null> {
  const find = (prefix: string) => prisma.apiKey.findUnique({ where: { keyPrefix: prefix } });
  const row = key ? await (keys ? keys.get(apiKeyPrefix(key), () => find(apiKeyPrefix(key))) : find(apiKeyPrefix(key))) : null;
  return row !== null && key !== undefined && row.revokedAt === null && sameHash(row.keyHash, hashApiKey(key)) ? row : null;
}

/** The key a console session acts as, while the session is valid and the key not revoked; a state change without the CSRF token is a 403. */
async function sessionKey(prisma: PrismaClient, sessions: ConsoleSessions, req: Request): Promise<ApiKey | null> {
  const session = sessions.read(req);
  if (!session) return null;
  const row = await prisma.apiKey.findUnique({ where: { id: session.apiKeyId } });
  if (!row || row.revokedAt !== null) return null;
  if (!csrfSatisfied(req, session)) throw new HttpError(403, 'CSRF_TOKEN_INVALID', `a console request that changes something needs the session's ${CSRF_HEADER} header`);
  return row;
}

function bearerKey(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
