import type { Request, Response } from 'express';
import { createConsoleSessions, csrfSatisfied } from '../../src/api/console/console-session';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

/** The parts of express's request and response the sessions use. */
function exchange(cookie = '', method = 'GET', csrf?: string) {
  const setCookies: string[] = [];
  const req = { secure: false, method, get: (name: string) => (name === 'cookie' ? cookie : name === 'x-csrf-token' ? csrf : undefined) } as unknown as Request;
  const res = { append: (_name: string, value: string) => setCookies.push(value) } as unknown as Response;
  return { req, res, setCookies };
}

describe('console sessions (sealed cookies)', () => {
  it('reads back what it sealed until the session ends, then nothing', () => {
    let now = new Date('2026-11-24T08:00:00Z');
    const sessions = createConsoleSessions(KEY_A, 12, () => now);
    const signIn = exchange();
    const started = sessions.start(signIn.res, signIn.req, 'key-1');
    const cookie = (signIn.setCookies[0] ?? '').split(';')[0] ?? '';
    expect(sessions.read(exchange(cookie).req)).toEqual(started);
    now = new Date('2026-11-24T19:59:59Z');
    expect(sessions.read(exchange(cookie).req)?.apiKeyId).toBe('key-1');
    now = new Date('2026-11-24T20:00:00Z');
    expect(sessions.read(exchange(cookie).req)).toBeNull();
  });

  it('refuses a cookie sealed under another SECRET_KEY, or garbage', () => {
    const signIn = exchange();
    createConsoleSessions(KEY_B, 12).start(signIn.res, signIn.req, 'key-1');
    const cookie = (signIn.setCookies[0] ?? '').split(';')[0] ?? '';
    const sessions = createConsoleSessions(KEY_A, 12);
    expect(sessions.read(exchange(cookie).req)).toBeNull();
    expect(sessions.read(exchange('herald_console=v1.abc.def.ghi').req)).toBeNull();
    expect(sessions.present(exchange('herald_console=x').req)).toBe(true);
  });

  it('asks the CSRF token of every method that changes something', () => {
    const session = { apiKeyId: 'key-1', csrfToken: 'token-123', expiresAt: new Date() };
    expect(csrfSatisfied(exchange('', 'GET').req, session)).toBe(true);
    expect(csrfSatisfied(exchange('', 'POST').req, session)).toBe(false);
    expect(csrfSatisfied(exchange('', 'PATCH', 'token-124').req, session)).toBe(false);
    expect(csrfSatisfied(exchange('', 'DELETE', 'token-123').req, session)).toBe(true);
  });
});
