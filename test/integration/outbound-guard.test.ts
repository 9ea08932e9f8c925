import type { LookupAddress } from 'node:dns';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { createAliyunSmsAdapter } from '../../src/vendors/aliyun-sms';
import { createDingtalkAdapter } from '../../src/vendors/chat/dingtalk';
import { createHttpGatewayAdapter } from '../../src/vendors/http-gateway/adapter';
import { createVendorOutbound } from '../../src/vendors/outbound/vendor-outbound';
import { createSandboxAdapter } from '../../src/vendors/sandbox';
import { createSmtpAdapter } from '../../src/vendors/smtp';
import { createTencentSmsAdapter } from '../../src/vendors/tencent-sms';
import { createTwilioAdapter } from '../../src/vendors/twilio/adapter';
import type { OutgoingMessage, VendorAccount, VendorAdapter } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';
import { acmeGatewayConfig } from '../fakes/http-gateway';
import { startTwilioFake } from '../fakes/twilio-server';

/**
 * Every transport Herald calls vendors with, under the production policy
 * (private destinations refused). The vendors' stand-ins listen on 127.0.0.1,
 * allowed here as a named network (VENDOR_ALLOWED_NETWORKS); "internal"
 * services listen on 127.0.0.2, which the guard must never reach: not as a
 * literal, not through a name that resolves to it, not through a redirect.
 */
const INTERNAL_HOST = '127.0.0.2';
const SECRET_BODY = 'internal-secret-metadata';

/** A test DNS: names resolve from this table only (counted), as the guard's resolver. */
const resolved: string[] = [];
const table: Record<string, string[]> = { 'internal.example.com': [INTERNAL_HOST] };
async function resolve(host: string): Promise<LookupAddress[]> {
  resolved.push(host);
  const entry = table[host];
  if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  // A rebinding name answers the vendor's address first, then an internal one.
  const address = entry.length > 1 && resolved.filter((name) => name === host).length > 1 ? entry[1] : entry[0];
  return [{ address, family: 4 }];
}

const outbound = createVendorOutbound({ allowPrivate: false, allowNetworks: ['127.0.0.1/32'], resolve });

let internal: Server;
let internalHits = 0;
let internalPort = 0;
let smtpInternal: ReturnType<typeof createTcpServer>;
let smtpInternalConnections = 0;
let smtpInternalPort = 0;
/** On 127.0.0.1: answers every request with a 307 to the internal service. */
let redirector: Server;
let redirectorPort = 0;
/** On 127.0.0.1: a DingTalk robot that says ok. */
let robot: Server;
let robotPort = 0;

async function listen(server: Server | ReturnType<typeof createTcpServer>, host: string): Promise<number> {
  await new Promise<void>((done) => server.listen(0, host, done));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  internal = createHttpServer((_req, res) => {
    internalHits += 1;
    res.end(SECRET_BODY);
  });
  internalPort = await listen(internal, INTERNAL_HOST);
  smtpInternal = createTcpServer((socket) => {
    smtpInternalConnections += 1;
    socket.end('220 internal ESMTP\r\n');
  });
  smtpInternalPort = await listen(smtpInternal, INTERNAL_HOST);
  redirector = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(307, { location: `http://${INTERNAL_HOST}:${internalPort}/latest/meta-data` }).end('moved');
  });
  redirectorPort = await listen(redirector, '127.0.0.1');
  robot = createHttpServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
  });
  robotPort = await listen(robot, '127.0.0.1');
  table['rebind.example.com'] = ['127.0.0.1', INTERNAL_HOST];
});

afterAll(async () => {
  outbound.close();
  for (const server of [internal, smtpInternal, redirector, robot]) await new Promise((done) => server.close(done));
});

beforeEach(() => {
  internalHits = 0;
  smtpInternalConnections = 0;
  resolved.length = 0;
});

function account(provider: string, config: Record<string, unknown>, secrets: Record<string, string>): VendorAccount {
  return { id: `acc-${provider}`, name: provider, provider, channel: provider === 'smtp' ? 'EMAIL' : provider === 'dingtalk' ? 'CHAT' : 'SMS', config, secrets };
}

const message: OutgoingMessage = {
  sendId: '00000000-0000-4000-8000-000000000001', reference: '00000000-0000-4000-8000-000000000001', receiver: '+8613800138000', content: 'hi', subject: null,
  vendorTemplateId: 'T1', variables: {},
};

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const error: unknown = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof VendorError)) throw new Error(`expected a VendorError, got ${String(error)}`);
  return error;
}

interface Transport {
  name: string;
  adapter: VendorAdapter;
  /** The account pointing at `base` (http://host:port). */
  at(base: string): VendorAccount;
  /** The same call, for receipt pulls. */
  pull?: boolean;
}

const TRANSPORTS: Transport[] = [
  { name: 'sandbox (HTTP)', adapter: createSandboxAdapter(outbound), at: (base) => account('sandbox', { endpoint: base }, { appKey: 'k', appSecret: 's' }) },
  { name: 'sandbox receipt pull', pull: true, adapter: createSandboxAdapter(outbound), at: (base) => account('sandbox', { endpoint: base }, { appKey: 'k', appSecret: 's' }) },
  { name: 'DingTalk robot', adapter: createDingtalkAdapter(outbound), at: (base) => account('dingtalk', { baseUrl: base, timeoutMs: 2000 }, { accessToken: 't' }) },
  {
    name: 'HTTP gateway', adapter: createHttpGatewayAdapter(outbound),
    at: (base) => account('http-gateway', { ...(acmeGatewayConfig(`${base}/api/v3/messages`) as Record<string, unknown>), timeoutMs: 2000 }, { appKey: 'k', appSecret: 's' }),
  },
  {
    name: 'HTTP gateway receipt pull', pull: true, adapter: createHttpGatewayAdapter(outbound),
    at: (base) => account('http-gateway', { ...(acmeGatewayConfig(`${base}/api/v3/messages`) as Record<string, unknown>), timeoutMs: 2000 }, { appKey: 'k', appSecret: 's' }),
  },
  {
    name: 'Tencent SMS (SDK)', adapter: createTencentSmsAdapter(outbound),
    at: (base) => account('tencent', { smsSdkAppId: '1400000000', signName: 'Herald', endpoint: base, timeoutMs: 2000 }, { secretId: 'id', secretKey: 'key' }),
  },
  {
    name: 'Twilio (the twilio package)', adapter: createTwilioAdapter(outbound, () => 'https://herald.example.com/v1/receipts/twilio/t'),
    at: (base) => account('twilio', { from: '+14155550100', baseUrl: base, timeoutMs: 2000 }, { accountSid: `AC${'0'.repeat(32)}`, authToken: 'token' }),
  },
  {
    name: 'Twilio receipt pull', pull: true, adapter: createTwilioAdapter(outbound, () => 'https://herald.example.com/v1/receipts/twilio/t'),
    at: (base) => account('twilio', { from: '+14155550100', baseUrl: base, timeoutMs: 2000 }, { accountSid: `AC${'0'.repeat(32)}`, authToken: 'token' }),
  },
  {
    name: 'Aliyun SMS (SDK)', adapter: createAliyunSmsAdapter(outbound),
    at: (base) => account('aliyun', { signName: 'Herald', endpoint: base, timeoutMs: 2000 }, { accessKeyId: 'id', accessKeySecret: 'secret' }),
  },
];

function call(transport: Transport, target: VendorAccount): Promise<unknown> {
  if (!transport.pull) return transport.adapter.send(target, target.channel === 'CHAT' ? { ...message, receiver: 'group' } : message);
  if (!transport.adapter.pullReceipts) throw new Error(`${transport.name} has no pull`);
  return transport.adapter.pullReceipts(target, [{ vendorMessageId: 'm-1', receiver: message.receiver, sentAt: new Date() }]);
}

describe.each(TRANSPORTS)('outbound guard: $name', (transport) => {
  it('refuses an internal address and a name resolving to one before connecting', async () => {
    for (const base of [`http://${INTERNAL_HOST}:${internalPort}`, `http://internal.example.com:${internalPort}`, `http://[::ffff:${INTERNAL_HOST}]:${internalPort}`]) {
      const error = await failure(call(transport, transport.at(base)));
      expect([base, error.errorClass, error.vendorCode]).toEqual([base, 'VENDOR_REJECTED', 'OUTBOUND_REFUSED']);
    }
    expect(internalHits).toBe(0);
  });

  it('never reaches the internal address a 307 redirect names, and never shows its body', async () => {
    const outcome: unknown = await call(transport, transport.at(`http://127.0.0.1:${redirectorPort}`)).catch((e: unknown) => e);
    expect(internalHits).toBe(0);
    expect(outcome instanceof Error ? `${outcome.message} ${JSON.stringify(outcome)}` : JSON.stringify(outcome)).not.toContain(SECRET_BODY);
  });
});

describe('outbound guard: SMTP (nodemailer)', () => {
  const smtp = createSmtpAdapter(outbound);
  const mail: OutgoingMessage = { ...message, receiver: 'li@example.com', subject: 'Hi' };
  const at = (host: string, port: number) => account('smtp', { host, port, from: 'noreply@example.com', timeoutMs: 2000 }, { user: 'u', pass: 'p' });

  it('refuses an internal SMTP host, written any way or resolving inside, before connecting', async () => {
    for (const host of [INTERNAL_HOST, 'internal.example.com', '2130706434', '0x7f.0.0.2']) {
      const error = await failure(smtp.send(at(host, smtpInternalPort), mail));
      expect([host, error.errorClass, error.vendorCode]).toEqual([host, 'VENDOR_REJECTED', 'OUTBOUND_REFUSED']);
    }
    expect(smtpInternalConnections).toBe(0);
  });
});

describe('outbound guard: pinning', () => {
  it('connects to the address it checked: one lookup per connection, a rebinding second answer never used', async () => {
    const robotAdapter = createDingtalkAdapter(outbound);
    const accepted = await robotAdapter.send(account('dingtalk', { baseUrl: `http://rebind.example.com:${robotPort}`, timeoutMs: 2000 }, { accessToken: 't' }), { ...message, receiver: 'group' });
    expect(accepted.vendorCode).toBe('0');
    expect(resolved).toEqual(['rebind.example.com']);
    expect(internalHits).toBe(0);
  });

  it('the twilio package connects through the guard: a name only the guard\'s resolver knows is reached, each connection looked up by it', async () => {
    const accountSid = `AC${'3'.repeat(32)}`;
    const fake = await startTwilioFake({ accountSid, authToken: 'token' });
    table['twilio.example.com'] = ['127.0.0.1'];
    try {
      const twilio = createTwilioAdapter(outbound, () => 'https://herald.example.com/v1/receipts/twilio/t');
      const accepted = await twilio.send(account('twilio', { from: '+14155550100', baseUrl: `http://twilio.example.com:${fake.port}`, timeoutMs: 2000 }, { accountSid, authToken: 'token' }), message);
      expect(accepted.vendorMessageId).toMatch(/^SM/);
      // Once checked before the call, once by the connection's own lookup (the guarded agent): never by the system's DNS, which knows no such name.
      expect(resolved).toEqual(['twilio.example.com', 'twilio.example.com']);
    } finally {
      await fake.close();
    }
  });
});
