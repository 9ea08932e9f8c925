import type { ApiKey } from '../../generated/prisma/client';
import type { AnswerOf } from '../answers';
import { activeKey } from '../auth';
import { HttpError } from '../http-error';
import { PUBLIC, ok } from '../openapi/access';
import type { Access } from '../openapi/operation';
import { route, type ApiRoute, type RouteDeps } from '../route';
import { consoleCapabilities } from './console-access';
import { CONSOLE_PATH } from './console-page';
import { consoleSessionAnswerSchema, consoleSignInSchema } from './console-schemas';
import { CSRF_HEADER, csrfSatisfied, type ConsoleSession } from './console-session';

const SESSION_PATH = `${CONSOLE_PATH}/session`;
const CONSOLE_SESSION: Access = { kind: 'console-session' };

/** Who the session is and what the console may show it. */
async function describeSession(deps: RouteDeps, session: ConsoleSession, key: ApiKey): Promise<AnswerOf<typeof consoleSessionAnswerSchema>> {
  const team = await deps.prisma.team.findUniqueOrThrow({ where: { id: key.teamId }, select: { name: true } });
  const paths = deps.openApiDocument.paths;
  return {
    apiKey: { id: key.id, name: key.name, prefix: key.keyPrefix },
    team: team.name,
    scopes: key.scopes,
    // The API serves what its document (built from the route table) lists.
    capabilities: consoleCapabilities(key.scopes, ({ method, path }) => paths[path]?.[method] !== undefined),
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
    temporalUiUrl: deps.config.TEMPORAL_UI_URL,
  };
}

/**
 * The ops console: `GET /console` serves the built page (its assets and deep
 * links are mounted beside the table, src/api/app.ts); `/console/session`
 * signs in with an API key, tells the page who it is, and signs out. The page
 * then calls the /v1 API with the session cookie (src/api/auth.ts).
 */
export const consoleRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: CONSOLE_PATH,
    tag: 'console',
    summary: 'The ops console (a web page; any path under /console serves it too)',
    description: 'Built by `npm run build` into CONSOLE_DIR; its scripts and styles come from this server only. Sign in with an API key: the scopes of the key decide what it shows.',
    access: PUBLIC,
    answers: { 200: { description: 'the page', mediaType: 'text/html' }, 503: { description: 'the console is not built', mediaType: 'text/plain' } },
    handler: ({ deps, res }) => deps.consolePage.send(res),
  }),
  route({
    method: 'post',
    path: SESSION_PATH,
    tag: 'console',
    summary: 'Sign in to the console with an API key',
    description: 'Sets an HttpOnly, SameSite=Strict session cookie (sealed; it holds the key id, never the key) that /v1 routes accept instead of the bearer key; CONSOLE_SESSION_HOURS long.',
    access: PUBLIC,
    body: consoleSignInSchema,
    answers: { 201: { description: 'signed in: who, what the console may show, the CSRF token', schema: consoleSessionAnswerSchema } },
    errors: { 401: 'UNAUTHENTICATED: missing or invalid API key (missing, unknown and revoked keys answer alike)' },
    handler: async ({ deps, req, res, body }) => {
      const key = await activeKey(deps.prisma, body.apiKey);
      if (!key) {
        deps.logger.warn({ path: req.path, ip: req.ip }, 'console sign-in refused');
        throw new HttpError(401, 'UNAUTHENTICATED', 'missing or invalid API key');
      }
      deps.logger.info({ apiKeyId: key.id, ip: req.ip }, 'console signed in');
      res.status(201).json(await describeSession(deps, deps.consoleSessions.start(res, req, key.id), key));
    },
  }),
  route({
    method: 'get',
    path: SESSION_PATH,
    tag: 'console',
    summary: 'The signed-in console: key, team, capabilities, CSRF token',
    access: CONSOLE_SESSION,
    answers: ok('the session', consoleSessionAnswerSchema),
    errors: { 401: 'UNAUTHENTICATED: no console session, or it ended, or its API key was revoked' },
    handler: async ({ deps, req, res }) => {
      const session = deps.consoleSessions.read(req);
      const key = session ? await deps.prisma.apiKey.findUnique({ where: { id: session.apiKeyId } }) : null;
      if (!session || !key || key.revokedAt !== null) throw new HttpError(401, 'UNAUTHENTICATED', 'not signed in to the console');
      res.json(await describeSession(deps, session, key));
    },
  }),
  route({
    method: 'delete',
    path: SESSION_PATH,
    tag: 'console',
    summary: 'Sign out of the console (the cookie is removed)',
    access: CONSOLE_SESSION,
    answers: { 204: { description: 'signed out (or was not signed in)' } },
    errors: { 403: 'CSRF_TOKEN_INVALID: a valid session without its X-CSRF-Token header' },
    handler: ({ deps, req, res }) => {
      const session = deps.consoleSessions.read(req);
      if (session && !csrfSatisfied(req, session)) throw new HttpError(403, 'CSRF_TOKEN_INVALID', `signing out needs the session's ${CSRF_HEADER} header`);
      deps.consoleSessions.end(res, req);
      res.status(204).end();
    },
  }),
];
