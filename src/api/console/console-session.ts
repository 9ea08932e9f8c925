import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { Request, Response } from 'express';
import { createSecretBox } from '../../security/secret-box';

/** The cookie that carries a console session; HttpOnly, so page scripts never read it. */
export const SESSION_COOKIE = 'herald_console';
/** Every state-changing request made with the session cookie carries the session's CSRF token in this header. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A signed-in console: which API key it acts as, its CSRF token, when it ends. */
export interface ConsoleSession {
  apiKeyId: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ConsoleSessions {
  /** A new session for the key, its cookie set on `res`. */
  start(res: Response, req: Request, apiKeyId: string): ConsoleSession;
  /** The request's session, if its cookie is there, unforged and not expired. */
  read(req: Request): ConsoleSession | null;
  /** Whether the request carries a session cookie at all (valid or not). */
  present(req: Request): boolean;
  /** Removes the cookie. */
  end(res: Response, req: Request): void;
}

/**
 * Console sessions as sealed cookies: AES-256-GCM (the SecretBox) under a key
 * derived from SECRET_KEY for this use only, holding the API key's id (never
 * the key), a CSRF token and the end time. Nothing is stored on the server,
 * so the console works while Redis is down, like the API; revoking the key
 * ends its sessions at their next request (the key row is read each time).
 * SameSite=Strict keeps other sites' requests from carrying the cookie; the
 * CSRF token in a header is the second lock on every state-changing request.
 */
export function createConsoleSessions(secretKey: string, lifetimeHours: number, now: () => Date = () => new Date()): ConsoleSessions {
  const box = createSecretBox(Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'base64'), Buffer.alloc(0), 'herald console session', 32)).toString('base64'));
  const lifetimeMs = lifetimeHours * 60 * 60 * 1000;
  const cookieOf = (req: Request): string | undefined => parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE];
  const attributes = (req: Request) => ({ httpOnly: true, sameSite: 'strict' as const, path: '/', secure: req.secure });

  return {
    start(res, req, apiKeyId) {
      const session = { apiKeyId, csrfToken: randomBytes(24).toString('base64url'), expiresAt: new Date(now().getTime() + lifetimeMs) };
      const sealed = box.seal({ apiKeyId, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() });
      res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, sealed, { ...attributes(req), maxAge: Math.floor(lifetimeMs / 1000) }));
      return session;
    },
    read(req) {
      const sealed = cookieOf(req);
      if (!sealed) return null;
      let fields: Record<string, string>;
      try {
        fields = box.open(sealed);
      } catch {
        return null;
      }
      const expiresAt = new Date(fields.expiresAt ?? '');
      if (!fields.apiKeyId || !fields.csrfToken || !(expiresAt > now())) return null;
      return { apiKeyId: fields.apiKeyId, csrfToken: fields.csrfToken, expiresAt };
    },
    present(req) {
      return cookieOf(req) !== undefined;
    },
    end(res, req) {
      res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { ...attributes(req), maxAge: 0 }));
    },
  };
}

/** True when the request needs no CSRF token (it changes nothing), or carries the session's. */
export function csrfSatisfied(req: Request, session: ConsoleSession): boolean {
  if (SAFE_METHODS.has(req.method)) return true;
  const given = Buffer.from(req.get(CSRF_HEADER) ?? '');
  const expected = Buffer.from(session.csrfToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
