import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { apiKeyPrefix, hashApiKey } from '../security/api-keys';
import { logFacts } from './caller';
import { HttpError } from './http-error';
import { recordKeyUse } from './key-usage';

/**
 * `Authorization: Bearer <key>`; a failure says nothing about why (missing,
 * unknown, revoked and wrong keys answer alike), and is logged with the path
 * and address, never the key. A success records the key's last use.
 */
export function authenticate(prisma: PrismaClient, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = match?.[1];
    const row = key ? await prisma.apiKey.findUnique({ where: { keyPrefix: apiKeyPrefix(key) } }) : null;
    const valid = row !== null && key !== undefined && row.revokedAt === null && sameHash(row.keyHash, hashApiKey(key));
    if (!valid) {
      logger.warn({ path: req.path, ip: req.ip }, 'authentication failed');
      throw new HttpError(401, 'UNAUTHENTICATED', 'missing or invalid API key');
    }
    logFacts(res).caller = { apiKeyId: row.id, teamId: row.teamId, scopes: row.scopes };
    recordKeyUse(prisma, logger, row);
    next();
  };
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
