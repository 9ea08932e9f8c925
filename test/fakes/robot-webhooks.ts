import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RobotVendor = 'dingtalk' | 'feishu' | 'wecom';

/** One post the fake accepted into its "group". */
export interface RobotPost {
  vendor: RobotVendor;
  body: Record<string, unknown>;
}

/** Faults the next calls to a vendor get: HTTP 500, no answer at all, or the vendor's own rate-limit answer. */
export type RobotFault = 'server-error' | 'hang' | 'rate-limited';

export interface RobotCredentials {
  dingtalk: { accessToken: string; signSecret: string };
  feishu: { hookToken: string; signSecret: string };
  wecom: { key: string };
}

export interface FakeRobotWebhooks {
  baseUrl: string;
  posts: RobotPost[];
  /** The next `times` calls to `vendor` get `fault`. */
  failNext(vendor: RobotVendor, fault: RobotFault, times?: number): void;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

/** DingTalk: base64(HMAC-SHA256(key = secret, `${timestampMs}\n${secret}`)). Written out here, independent of the adapter. */
function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/** Feishu: base64(HMAC-SHA256(key = `${timestampSec}\n${secret}`, empty message)). */
function feishuSign(secret: string, timestamp: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

type Answer = Record<string, unknown>;

function dingtalk(credentials: RobotCredentials['dingtalk'], query: URLSearchParams, body: Answer): Answer {
  if (query.get('access_token') !== credentials.accessToken) return { errcode: 300005, errmsg: 'token is not exist' };
  const timestamp = query.get('timestamp') ?? '';
  if (Math.abs(Date.now() - Number(timestamp)) > HOUR_MS || query.get('sign') !== dingtalkSign(credentials.signSecret, timestamp)) {
    return { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' };
  }
  if (body.msgtype !== 'text' || typeof (body.text as Answer | undefined)?.content !== 'string') return { errcode: 40035, errmsg: 'missing parameter' };
  return { errcode: 0, errmsg: 'ok' };
}

function feishu(credentials: RobotCredentials['feishu'], token: string, body: Answer): Answer {
  if (token !== credentials.hookToken) return { code: 19001, msg: 'param invalid: incoming webhook access token invalid', data: {} };
  const timestamp = typeof body.timestamp === 'string' ? body.timestamp : '';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 3600 || body.sign !== feishuSign(credentials.signSecret, timestamp)) {
    return { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} };
  }
  if (body.msg_type !== 'text' || typeof (body.content as Answer | undefined)?.text !== 'string') return { code: 9499, msg: 'Bad Request', data: {} };
  return { code: 0, msg: 'success', data: {} };
}

function wecom(credentials: RobotCredentials['wecom'], query: URLSearchParams, body: Answer): Answer {
  if (query.get('key') !== credentials.key) return { errcode: 93000, errmsg: 'invalid webhook url, hint: [1700000000_1_abc]' };
  if (body.msgtype !== 'text' || typeof (body.text as Answer | undefined)?.content !== 'string') return { errcode: 40008, errmsg: 'invalid message type' };
  return { errcode: 0, errmsg: 'ok' };
}

const RATE_LIMITED: Record<RobotVendor, Answer> = {
  dingtalk: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' },
  feishu: { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]', data: {} },
  wecom: { errcode: 45009, errmsg: 'api freq out of limit' },
};

function vendorOf(path: string): { vendor: RobotVendor; token: string } | null {
  if (path === '/robot/send') return { vendor: 'dingtalk', token: '' };
  if (path.startsWith('/open-apis/bot/v2/hook/')) return { vendor: 'feishu', token: decodeURIComponent(path.slice('/open-apis/bot/v2/hook/'.length)) };
  if (path === '/cgi-bin/webhook/send') return { vendor: 'wecom', token: '' };
  return null;
}

/**
 * The three robot webhooks on one local port, speaking each vendor's wire
 * format: DingTalk and Feishu signatures are verified (a wrong secret gets the
 * vendor's signature error), tokens and keys are checked, answers are HTTP 200
 * with the vendor's code as the real ones are.
 */
export async function startFakeRobotWebhooks(credentials: RobotCredentials): Promise<FakeRobotWebhooks> {
  const posts: RobotPost[] = [];
  const faults = new Map<RobotVendor, { fault: RobotFault; times: number }>();
  const sockets = new Set<Socket>();

  function takeFault(vendor: RobotVendor): RobotFault | null {
    const pending = faults.get(vendor);
    if (!pending || pending.times <= 0) return null;
    pending.times -= 1;
    return pending.fault;
  }

  function answer(res: ServerResponse, status: number, body: Answer): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = req.method === 'POST' ? vendorOf(url.pathname) : null;
    if (!route) return answer(res, 404, { error: 'not found' });
    const fault = takeFault(route.vendor);
    if (fault === 'hang') return; // the socket stays open; the client's timeout decides
    if (fault === 'server-error') return void res.writeHead(500, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
    if (fault === 'rate-limited') return answer(res, 200, RATE_LIMITED[route.vendor]);
    let body: Answer;
    try {
      body = JSON.parse(raw) as Answer;
    } catch {
      return answer(res, 400, route.vendor === 'feishu' ? { code: 9499, msg: 'Bad Request' } : { errcode: 40035, errmsg: 'invalid json' });
    }
    const result = route.vendor === 'dingtalk'
      ? dingtalk(credentials.dingtalk, url.searchParams, body)
      : route.vendor === 'feishu'
        ? feishu(credentials.feishu, route.token, body)
        : wecom(credentials.wecom, url.searchParams, body);
    if (result.errcode === 0 || result.code === 0) posts.push({ vendor: route.vendor, body });
    answer(res, 200, result);
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
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    failNext(vendor, fault, times = 1) {
      faults.set(vendor, { fault, times });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
