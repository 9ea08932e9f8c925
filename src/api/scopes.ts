import type { RequestHandler, Response } from 'express';
import { callerOf } from './caller';
import { HttpError } from './http-error';

/**
 * What an API key may do. A key belongs to one team and holds any of:
 *
 * - `send`: send messages; read and control its team's messages, sends,
 *   campaigns, audiences and suppression list.
 * - `admin` (team admin): its team's templates (create, change, disable), its
 *   team's API keys (issue with team scopes only, revoke), its team's manual
 *   suppression entries.
 * - `ops` (platform operator, read-only): diagnose, traces and template search
 *   across every team.
 * - `platform` (platform admin): vendor accounts and their routing (weight,
 *   priority, rate limit, enable), their receipt URLs, template approval for
 *   every team, billing of every team, the global suppression list, the audit log.
 *
 * `ops` and `platform` reach across teams, so only a `platform` key may issue
 * a key holding them (TEAM_SCOPES are what a team admin may grant).
 *
 * Each route names the scope it needs in the route table (`access`, and
 * `platformWhen` for a route whose request decides); src/api/route.ts applies
 * it with the checks below, the only ones.
 */
export const SCOPES = ['send', 'ops', 'admin', 'platform'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes that stay inside the key's team: a team admin may grant these. */
export const TEAM_SCOPES: readonly Scope[] = ['send', 'admin'];

/** What else a key may hold instead of the scope asked for, and the field whose value needs the scope (`scopes` of a key being issued). */
export interface ScopeCheck {
  alternatives?: readonly Scope[];
  field?: string;
}

/** 403 unless the authenticated key holds `scope` (or one of `alternatives`); the refusal names `scope` and nothing more. */
export function assertScope(res: Response, scope: Scope, { alternatives = [], field }: ScopeCheck = {}): void {
  const held = callerOf(res).scopes;
  if ([scope, ...alternatives].some((accepted) => held.includes(accepted))) return;
  throw new HttpError(403, 'FORBIDDEN', `this API key lacks the ${scope} scope`, field ? { field } : undefined);
}

/** The same check as a route's middleware. */
export function requireScope(scope: Scope, alternatives: readonly Scope[] = []): RequestHandler {
  return (_req, res, next) => {
    assertScope(res, scope, { alternatives });
    next();
  };
}
