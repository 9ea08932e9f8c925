import type { RequestHandler, Response } from 'express';
import { callerOf } from './caller';
import { HttpError } from './http-error';

/**
 * What an API key may do. A key belongs to one team and holds any of:
 *
 * - `send`: send messages; read and control its team's messages, sends,
 *   campaigns, audiences and suppression list.
 * - `admin` (team admin): its team's templates (create, change, disable), its
 *   team's API keys (issue with team scopes only, revoke).
 * - `ops` (platform operator, read-only): diagnose, traces and template search
 *   across every team.
 * - `platform` (platform admin): vendor accounts and their routing (weight,
 *   priority, rate limit, enable), their receipt URLs, template approval for
 *   every team, billing of every team, the global suppression list, the audit log.
 *
 * `ops` and `platform` reach across teams, so only a `platform` key may issue
 * a key holding them (TEAM_SCOPES are what a team admin may grant).
 */
export const SCOPES = ['send', 'ops', 'admin', 'platform'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes that stay inside the key's team: a team admin may grant these. */
export const TEAM_SCOPES: readonly Scope[] = ['send', 'admin'];

/** 403 unless the authenticated key holds `scope`; says which scope is missing, nothing more. */
export function assertScope(res: Response, scope: Scope): void {
  if (!callerOf(res).scopes.includes(scope)) throw new HttpError(403, 'FORBIDDEN', `this API key lacks the ${scope} scope`);
}

/** The same check as a route's middleware. */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    assertScope(res, scope);
    next();
  };
}
