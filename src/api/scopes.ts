import type { RequestHandler } from 'express';
import { callerOf } from './caller';
import { HttpError } from './http-error';

/**
 * What an API key may do: `send` messages and control its team's sends,
 * `ops` read diagnoses, traces and reports, `admin` manage templates,
 * accounts and keys.
 */
export const SCOPES = ['send', 'ops', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** 403 unless the authenticated key holds `scope`; says which scope is missing, nothing more. */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    if (!callerOf(res).scopes.includes(scope)) throw new HttpError(403, 'FORBIDDEN', `this API key lacks the ${scope} scope`);
    next();
  };
}
