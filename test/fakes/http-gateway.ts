import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Prisma } from '../../src/generated/prisma/client';

/** One message the fake gateway accepted, as it read it off the wire. */
export interface GatewayMessage {
  id: string;
  contentType: string;
  fields: Record<string, unknown>;
}

/** What the next call gets instead of a normal answer. */
export type GatewayFault = 'hang' | { status: number; code: string; message: string };

/** A delivery report as the fake's report API returns it. */
export interface GatewayReport {
  state: 'DELIVRD' | 'UNDELIV' | 'PENDING';
  err: string;
  desc: string;
}

export interface FakeHttpGateway {
  url: string;
  accepted: GatewayMessage[];
  /** Signatures that did not verify (the request was refused with E_SIGNATURE). */
  badSignatures: number;
  failNext(fault: GatewayFault, times?: number): void;
  /** The report for messages to this number; every other accepted message is DELIVRD. */
  setReport(receiver: string, report: GatewayReport): void;
  /** Report API calls so far. */
  reportCalls: number;
  close(): Promise<void>;
}

export const FAKE_GATEWAY_PATH = '/api/v3/messages';
export const FAKE_REPORTS_PATH = '/api/v3/reports';

/**
 * "Acme SMS", a gateway Herald has no code for: POST /api/v3/messages (JSON
 * or form), `X-Acme-Key` with the app key, `X-Acme-Timestamp` (seconds) and
 * `X-Acme-Signature` = hex(HMAC-SHA256(secret, METHOD\nPATH\nTIMESTAMP\nBODY)).
 * Answers `{"result":{"status":"ACCEPTED","id"}}` or
 * `{"result":{"status":"ERROR","code","message"}}`. Reports: GET
 * /api/v3/reports?id=<id>, signed the same way (empty body), answers
 * `{"result":{"status":"OK"},"reports":[{"msgid","state","err","desc","doneAt"}]}`.
 */
export async function startFakeHttpGateway(credentials: { appKey: string; appSecret: string }): Promise<FakeHttpGateway> {
  const accepted: GatewayMessage[] = [];
  const faults: GatewayFault[] = [];
  const sockets = new Set<Socket>();
  const reports = new Map<string, GatewayReport>();
  const state = { badSignatures: 0, reportCalls: 0 };

  function reply(res: ServerResponse, status: number, result: Record<string, unknown>): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ result }));
  }

  function verified(req: IncomingMessage, path: string, raw: string): boolean {
    const timestamp = String(req.headers['x-acme-timestamp'] ?? '');
    const given = Buffer.from(String(req.headers['x-acme-signature'] ?? ''), 'utf8');
    const expected = Buffer.from(createHmac('sha256', credentials.appSecret).update(`${req.method}\n${path}\n${timestamp}\n${raw}`).digest('hex'), 'utf8');
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
    return fresh && given.length === expected.length && timingSafeEqual(given, expected);
  }

  function reportsFor(req: IncomingMessage, res: ServerResponse, url: URL): void {
    state.reportCalls += 1;
    if (!verified(req, `${url.pathname}${url.search}`, '')) {
      state.badSignatures += 1;
      return reply(res, 401, { status: 'ERROR', code: 'E_SIGNATURE', message: 'signature mismatch' });
    }
    const id = url.searchParams.get('id') ?? '';
    const message = accepted.find((candidate) => candidate.id === id);
    const report = reports.get(String(message?.fields.to)) ?? { state: 'DELIVRD', err: 'DELIVRD', desc: 'delivered' };
    const items = message ? [{ msgid: id, ...report, doneAt: new Date().toISOString() }] : [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { status: 'OK' }, reports: items }));
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === FAKE_REPORTS_PATH) return reportsFor(req, res, url);
    if (req.method !== 'POST' || url.pathname !== FAKE_GATEWAY_PATH) return reply(res, 404, { status: 'ERROR', code: 'E_NOT_FOUND', message: 'no such API' });
    const fault = faults.shift();
    if (fault === 'hang') return;
    if (fault) return reply(res, fault.status, { status: 'ERROR', code: fault.code, message: fault.message });
    if (req.headers['x-acme-key'] !== credentials.appKey) return reply(res, 401, { status: 'ERROR', code: 'E_APP_KEY', message: 'unknown app key' });
    if (!verified(req, `${url.pathname}${url.search}`, raw)) {
      state.badSignatures += 1;
      return reply(res, 401, { status: 'ERROR', code: 'E_SIGNATURE', message: 'signature mismatch' });
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const fields: Record<string, unknown> = contentType.startsWith('application/x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(raw))
      : (JSON.parse(raw) as Record<string, unknown>);
    if (typeof fields.to !== 'string' || !/^\+\d{6,15}$/.test(fields.to)) return reply(res, 200, { status: 'ERROR', code: 'E_MOBILE', message: 'invalid mobile' });
    const id = `acme-${accepted.length + 1}`;
    accepted.push({ id, contentType, fields });
    reply(res, 200, { status: 'ACCEPTED', id });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${FAKE_GATEWAY_PATH}`,
    accepted,
    get badSignatures() {
      return state.badSignatures;
    },
    get reportCalls() {
      return state.reportCalls;
    },
    setReport(receiver, report) {
      reports.set(receiver, report);
    },
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i += 1) faults.push(fault);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The account config that describes Acme SMS to the `http-gateway` provider: all it takes to add it. */
export function acmeGatewayConfig(url: string, encoding: 'json' | 'form' = 'json'): Prisma.InputJsonObject {
  const fields = { to: '{receiver}', text: '{content}', ref: '{sendId}' };
  return {
    request: {
      method: 'POST',
      url,
      headers: { 'X-Acme-Key': '{secret.appKey}' },
      body: encoding === 'json' ? { encoding, fields: { ...fields, vars: '{variables}' } } : { encoding, fields },
    },
    signing: {
      type: 'hmac', algorithm: 'sha256', secret: 'appSecret', signed: ['method', 'path', 'timestamp', 'body'], separator: '\n',
      encoding: 'hex', signatureHeader: 'X-Acme-Signature', timestampHeader: 'X-Acme-Timestamp', timestampUnit: 's',
    },
    response: {
      successStatus: [200],
      successPath: 'result.status',
      successValue: 'ACCEPTED',
      messageIdPath: 'result.id',
      errorCodePath: 'result.code',
      errorTextPath: 'result.message',
      codes: {
        E_MOBILE: { class: 'RECEIVER_INVALID', reason: 'INVALID_RECEIVER' },
        E_BLACKLIST: { class: 'RECEIVER_INVALID', reason: 'BLACKLISTED' },
        E_SIGNATURE: { class: 'VENDOR_REJECTED' },
        E_BALANCE: { class: 'VENDOR_REJECTED' },
        E_BUSY: { class: 'RETRYABLE' },
      },
    },
    receiptPull: {
      request: { method: 'GET', url: url.replace(FAKE_GATEWAY_PATH, FAKE_REPORTS_PATH), query: { id: '{messageId}' }, headers: { 'X-Acme-Key': '{secret.appKey}' } },
      response: {
        successPath: 'result.status', successValue: 'OK', itemsPath: 'reports', messageIdPath: 'msgid', statusPath: 'state',
        delivered: ['DELIVRD'], undelivered: ['UNDELIV'], errorCodePath: 'err', errorTextPath: 'desc', doneTimePath: 'doneAt',
        reasons: { 'MK:0005': 'CARRIER_BLOCKED', 'MK:0001': 'POWERED_OFF_OR_NO_SIGNAL' },
      },
    },
    timeoutMs: 1000,
  };
}
