import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type RequestHandler, type Response } from 'express';

export const CONSOLE_PATH = '/console';
/** The build's folder of hashed scripts and styles (Vite's `assets`), served under the same name. */
const ASSETS = 'assets';
export const CONSOLE_ASSETS_PATH = `${CONSOLE_PATH}/${ASSETS}`;

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

/** The built ops console in CONSOLE_DIR (`npm run build`): its page and its hashed assets. */
export interface ConsolePage {
  /** Answers with the page, or a 503 saying how to build it. */
  send(res: Response): Promise<void>;
  /** Under CONSOLE_ASSETS_PATH: the hashed scripts and styles, cached for good. */
  assets: RequestHandler;
  /** Under CONSOLE_PATH: the page for any other GET (`/console/sends/<id>`, routed in the browser); a missing asset stays a 404. */
  deepLinks: RequestHandler;
}

export function createConsolePage(consoleDir: string): ConsolePage {
  const directory = path.resolve(consoleDir);
  let page: Promise<string> | null = null;

  async function send(res: Response): Promise<void> {
    page ??= readFile(path.join(directory, 'index.html'), 'utf8');
    try {
      res.set(PAGE_HEADERS).type('html').send(await page);
    } catch {
      page = null;
      res.status(503).type('text').send(`The console is not built: run npm run build (looked in ${directory}).\n`);
    }
  }

  return {
    send,
    assets: express.static(path.join(directory, ASSETS), { index: false, immutable: true, maxAge: '365d' }),
    deepLinks: (req, res, next) => (req.method === 'GET' && !req.path.startsWith(`/${ASSETS}/`) ? send(res) : next()),
  };
}
