import { randomUUID } from 'node:crypto';
import { createCaller, type TestCaller } from '../support/callers';
import { startHerald, type RunningHerald } from '../support/herald';

const LIMITS = {
  CALLER_RATE_LIMIT_REQUESTS: '5',
  CALLER_RATE_LIMIT_WINDOW_SECONDS: '60',
  RECEIVER_BURST_MAX: '3',
  RECEIVER_BURST_WINDOW_SECONDS: '60',
  MAX_RECEIVERS_PER_REQUEST: '5',
  MAX_BODY_BYTES: '4096',
};

interface Answer {
  status: number;
  retryAfter: string | null;
  body: ReturnType<typeof JSON.parse>;
}

/** Request limits and the anti-bombing cap, against real Redis, Postgres and Temporal. Each test uses fresh API keys. */
describe('limits', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald(LIMITS);
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  const newCaller = () => createCaller(herald.deps.prisma, 'demo', ['send']);

  async function call(caller: TestCaller, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${herald.baseUrl}${path}`, {
      method,
      headers: { ...caller.auth, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
  }

  const message = (receivers: unknown[], order = '1') => ({ templateCode: 'welcome_sms', receivers, variables: { name: 'Li', order } });
  const sendsTo = (receiver: string) => herald.deps.prisma.send.count({ where: { receiver } });
  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${herald.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('refuses more receivers than MAX_RECEIVERS_PER_REQUEST with a 413 naming the limit, before reading them', async () => {
    const caller = await newCaller();
    const receivers = Array.from({ length: 6 }, (_, i) => `+861380016000${i}`);
    for (const list of [receivers, [1, 2, 3, 4, 5, { no: 'phone' }]]) {
      const answer = await call(caller, 'POST', '/v1/messages', message(list));
      expect(answer.status).toBe(413);
      expect(answer.body.error).toEqual({
        code: 'TOO_MANY_RECEIVERS',
        message: 'receivers has 6 entries; at most 5 per request (MAX_RECEIVERS_PER_REQUEST)',
        details: { field: 'receivers', limit: 5 },
      });
    }
    expect(await herald.deps.prisma.send.count({ where: { receiver: { in: receivers } } })).toBe(0);
  });

  it('refuses a body over MAX_BODY_BYTES with a 413 that says the configured size', async () => {
    const answer = await call(await newCaller(), 'POST', '/v1/messages', message(['+8613800161000'], 'x'.repeat(5000)));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toEqual({ code: 'BODY_TOO_LARGE', message: 'the body is larger than 4096 bytes (MAX_BODY_BYTES)', details: { field: 'body', limit: 4096 } });
  });

  it('limits requests per API key with a 429 and Retry-After; other keys are not affected', async () => {
    const busy = await newCaller();
    const before = await metric('herald_caller_rate_limited_total');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await call(busy, 'GET', `/v1/sends/${randomUUID()}`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const limited = await call(busy, 'GET', `/v1/sends/${randomUUID()}`);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 5, windowSeconds: 60 } });
    const retryAfter = Number(limited.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call(await newCaller(), 'GET', `/v1/sends/${randomUUID()}`)).status).toBe(404);
    expect(await metric('herald_caller_rate_limited_total')).toBe(before + 1);
  });

  it('caps a burst to one receiver across callers: capped receivers are listed in the 202, all capped is a 429', async () => {
    const [a, b, c] = [await newCaller(), await newCaller(), await newCaller()];
    const target = '+8613800162001';
    const before = await metric('herald_receivers_capped_total{channel="SMS"}');
    for (const [caller, order] of [[a, '1'], [b, '2'], [c, '3']] as const) {
      expect((await call(caller, 'POST', '/v1/messages', message([target], order))).status).toBe(202);
    }
    const partly = await call(a, 'POST', '/v1/messages', message([target, '+8613800162002'], '4'));
    expect(partly.status).toBe(202);
    expect(partly.body).toMatchObject({ accepted: 1, sends: [expect.objectContaining({ receiver: '+8613800162002' })] });
    expect(partly.body.capped).toEqual([{
      field: 'receivers[0]', index: 0, receiver: target, reason: 'RECEIVER_BURST_CAP', message: 'at most 3 sends per 60 s to one receiver; not sent',
    }]);

    const refused = await call(b, 'POST', '/v1/messages', message([target], '5'));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'RECEIVERS_CAPPED', details: { capped: [expect.objectContaining({ field: 'receivers[0]', reason: 'RECEIVER_BURST_CAP' })] } });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await sendsTo(target)).toBe(3);
    expect(await metric('herald_receivers_capped_total{channel="SMS"}')).toBe(before + 2);
  });

  it('counts concurrent requests from many callers atomically', async () => {
    const callers = [await newCaller(), await newCaller(), await newCaller(), await newCaller()];
    const target = '+8613800162003';
    const answers = await Promise.all(callers.flatMap((caller, i) => [0, 1].map((j) => call(caller, 'POST', '/v1/messages', message([target], `${i}${j}`)))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
    expect(await sendsTo(target)).toBe(3);
  });

  it('does not count an Idempotency-Key replay again', async () => {
    const [first, second] = [await newCaller(), await newCaller()];
    const target = '+8613800162004';
    const key = { 'idempotency-key': `limits-${randomUUID()}` };
    const original = await call(first, 'POST', '/v1/messages', message([target]), key);
    expect(original.status).toBe(202);
    for (let i = 0; i < 3; i += 1) {
      expect((await call(first, 'POST', '/v1/messages', message([target]), key)).body).toMatchObject({ messageId: original.body.messageId, replayed: true });
    }
    expect((await call(second, 'POST', '/v1/messages', message([target], '2'))).status).toBe(202);
    expect((await call(second, 'POST', '/v1/messages', message([target], '3'))).status).toBe(202);
    expect((await call(second, 'POST', '/v1/messages', message([target], '4'))).status).toBe(429);
    expect(await sendsTo(target)).toBe(3);
  });
});
