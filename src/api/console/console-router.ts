import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import type { ApiKey } from '../../generated/prisma/client';
import type { AnswerOf } from '../answers';
import { activeKey } from '../auth';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { API_OPERATIONS } from '../openapi/operations';
import { parseOr400 } from '../validate';
import { consoleCapabilities } from './console-access';
import { consoleSessionAnswerSchema, consoleSignInSchema } from './console-schemas';
import { CSRF_HEADER, csrfSatisfied, type ConsoleSession, type ConsoleSessions } from './console-session';

export const CONSOLE_PATH = '/console';
const ASSETS = `${CONSOLE_PATH}/assets`;

/** Whether the API's operation table (src/api/openapi/operations.ts) has the route. */
function servedByApi(route: { method: string; path: string }): boolean {
  return API_OPERATIONS.some((operation) => operation.method === route.method && operation.path === route.path);
}

/**
 * The page's own headers: scripts, styles and data only from this server
 * (the bundle has no CDN), no framing, no referrer into the Temporal UI.
 */
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * The ops console: `GET /console` (and any path under it: the page routes in
 * the browser) serves the built page from CONSOLE_DIR (`npm run build:console`),
 * its hashed assets under /console/assets; `/console/session` signs in with an
 * API key, tells the page who it is, and signs out. The page then calls the
 * /v1 API with the session cookie.
 */
export function consoleRouter(deps: ApiDeps, sessions: ConsoleSessions): Router {
  const router = Router();
  const directory = path.resolve(deps.config.CONSOLE_DIR);
  let page: Promise<string> | null = null;

  async function sendPage(_req: Request, res: Response): Promise<void> {
    page ??= readFile(path.join(directory, 'index.html'), 'utf8');
    try {
      res.set(PAGE_HEADERS).type('html').send(await page);
    } catch {
      page = null;
      res.status(503).type('text').send(`The console is not built: run npm run build:console (looked in ${directory}).\n`);
    }
  }

  async function view(session: ConsoleSession, key: ApiKey): Promise<AnswerOf<typeof consoleSessionAnswerSchema>> {
    const team = await deps.prisma.team.findUniqueOrThrow({ where: { id: key.teamId }, select: { name: true } });
    return {
      apiKey: { id: key.id, name: key.name, prefix: key.keyPrefix },
      team: team.name,
      scopes: key.scopes,
      capabilities: consoleCapabilities(key.scopes, servedByApi),
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
      temporalUiUrl: deps.config.TEMPORAL_UI_URL,
    };
  }

  router.post(`${CONSOLE_PATH}/session`, async (req, res) => {
    const { apiKey } = parseOr400(consoleSignInSchema, req.body, 'body');
    const key = await activeKey(deps.prisma, apiKey);
    if (!key) {
      deps.logger.warn({ path: req.path, ip: req.ip }, 'console sign-in refused');
      throw new HttpError(401, 'UNAUTHENTICATED', 'missing or invalid API key');
    }
    deps.logger.info({ apiKeyId: key.id, ip: req.ip }, 'console signed in');
    res.status(201).json(await view(sessions.start(res, req, key.id), key));
  });

  router.get(`${CONSOLE_PATH}/session`, async (req, res) => {
    const session = sessions.read(req);
    const key = session ? await deps.prisma.apiKey.findUnique({ where: { id: session.apiKeyId } }) : null;
    if (!session || !key || key.revokedAt !== null) throw new HttpError(401, 'UNAUTHENTICATED', 'not signed in to the console');
    res.json(await view(session, key));
  });

  router.delete(`${CONSOLE_PATH}/session`, (req, res) => {
    const session = sessions.read(req);
    if (session && !csrfSatisfied(req, session)) throw new HttpError(403, 'CSRF_TOKEN_INVALID', `signing out needs the session's ${CSRF_HEADER} header`);
    sessions.end(res, req);
    res.status(204).end();
  });

  router.use(ASSETS, express.static(path.join(directory, 'assets'), { index: false, immutable: true, maxAge: '365d' }));
  router.get(CONSOLE_PATH, sendPage);
  // Deep links (/console/sends/<id>): the same page, which routes in the browser.
  router.use(CONSOLE_PATH, (req, res, next) => (req.method === 'GET' && !req.path.startsWith('/assets/') ? sendPage(req, res) : next()));

  return router;
}
