import { randomUUID } from 'node:crypto';
import { startHerald, type RunningHerald } from '../support/herald';
import { seededRandom } from '../support/seeded-random';

/**
 * Bad input never hurts: seeded pseudo-random bad requests against the real
 * API. Every answer must be a 4xx with a stable code and a field that says
 * what was wrong; nothing may be stored or sent; the process stays up and a
 * good request still works afterwards. Reproduce a failure with
 * FUZZ_SEED=<the seed in the test name> npx jest test/integration/bad-input.test.ts
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RANDOM_CASES = 300;
/** Bad requests in flight at once. */
const IN_FLIGHT = 4;
const MAX_RECEIVERS = 10_000;

interface BadCase {
  kind: string;
  /** Raw body text (sent as is), or a value sent as JSON. */
  body: string | Record<string, unknown>;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
  /** Expected status and error code; `field` is the field the answer must name (prefix match). */
  expect: { status: number; code: string; field: string };
}

const GOOD = { templateCode: 'welcome_sms', receivers: ['+8613800170000'], variables: { name: 'Li', order: 'A-1' } };

/** Characters that make a phone number invalid wherever they stand, with the reason's start. */
const BAD_IN_NUMBERS = [
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u000b', '\f', '\u001b', '\u007f', '\u0085',
  '\u2028', '\u2029', '\u200b', '\u200c', '\u200e', '\u200f', '\u202e', '\u2066', '\ufeff', '\u00ad',
  '\ud83d', '\ude00', '😀', '\u0301', '８', '٣', 'x', '#', '*', '@',
];
/** Characters a variable value must not carry (control, unpaired surrogate, bidi override). */
const BAD_IN_VARIABLES = ['\u0000', '\u0001', '\u0007', '\u000b', '\u001b', '\u007f', '\u0085', '\ud83d', '\ude00', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
/** Wrong JSON types, for each field, none of them valid there. */
const WRONG_TYPES: Record<string, unknown[]> = {
  templateCode: [null, true, 42, -1.5, [], {}, [['welcome_sms']], ''],
  templateId: [null, 7, 'not-a-uuid', {}, [], '00000000-0000-0000-0000-00000000000g'],
  receivers: [null, false, 13800138000, '+8613800138000', {}, [], { 0: '+8613800138000' }],
  variables: [null, true, 3, 'name=Li', [], [['name', 'Li']]],
  'receivers[0]': [null, true, 13800138000, [], {}, ['+8613800138000']],
  'variables.name': [null, false, [], {}, { toString: 'Li' }, ['Li']],
};

function buildCases(random: () => number): BadCase[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const insertAt = (text: string, char: string) => {
    const at = int(1, text.length - 1);
    return { text: text.slice(0, at) + char + text.slice(at), at };
  };
  const withReceivers = (receivers: unknown[]) => ({ ...GOOD, receivers });
  const goodReceivers = (n: number) => Array.from({ length: n }, (_, i) => `+86138001${String(70_000 + i).padStart(5, '0')}`);

  const generators: Array<() => BadCase | null> = [
    () => {
      const text = JSON.stringify(GOOD);
      const cuts = [
        () => text.slice(0, int(1, text.length - 2)),
        () => insertAt(text, pick(['{', '}', ',', ':', '"', '\\', ']', 'x', '\u0000'])).text,
        () => text.replaceAll('"', "'"),
        () => `${text},`,
        () => text.replace(':', ''),
        () => pick(['', 'null x', '{"a":}', 'NaN', '{"templateCode":"welcome_sms",}', '\ufeff{}', '[1,2', '{"receivers":[+86138]}']),
      ];
      const body = pick(cuts)();
      try {
        JSON.parse(body);
        return null; // still valid JSON: not this case's business
      } catch {
        // An empty body reads as {}: then it is the missing receivers that the answer names.
        const expected = body === '' ? { code: 'INVALID_REQUEST', field: 'receivers' } : { code: 'INVALID_JSON', field: 'body' };
        return { kind: 'malformed JSON', body, expect: { status: 400, ...expected } };
      }
    },
    () => {
      const field = pick(Object.keys(WRONG_TYPES));
      const value = pick(WRONG_TYPES[field] ?? []);
      const body: Record<string, unknown> = structuredClone(GOOD);
      if (field === 'receivers[0]') body.receivers = [value, '+8613800170001'];
      else if (field === 'variables.name') body.variables = { ...GOOD.variables, name: value };
      else if (field === 'templateId') {
        delete body.templateCode;
        body.templateId = value;
      } else body[field] = value;
      return { kind: 'wrong type', body, expect: { status: 400, code: 'INVALID_REQUEST', field } };
    },
    () => ({
      kind: 'huge receivers array',
      body: withReceivers(goodReceivers(MAX_RECEIVERS + int(1, 300))),
      expect: { status: 413, code: 'TOO_MANY_RECEIVERS', field: 'receivers' },
    }),
    () => {
      const variables: Record<string, string> = { ...GOOD.variables };
      for (let i = 0; i < int(101, 2000); i += 1) variables[`v${i}`] = 'x';
      return { kind: 'huge variables object', body: { ...GOOD, variables }, expect: { status: 400, code: 'INVALID_REQUEST', field: 'variables' } };
    },
    () => {
      const where = pick(['receivers[0]', 'templateCode', 'variables.name', 'variable name']);
      const long = pick(['9', 'é', '😀', 'a']).repeat(where === 'receivers[0]' ? int(321, 50_000) : where === 'templateCode' ? int(101, 50_000) : int(1001, 200_000));
      if (where === 'receivers[0]') return { kind: 'huge string', body: withReceivers([long]), expect: { status: 400, code: 'INVALID_REQUEST', field: where } };
      if (where === 'templateCode') return { kind: 'huge string', body: { ...GOOD, templateCode: long }, expect: { status: 400, code: 'INVALID_REQUEST', field: where } };
      if (where === 'variables.name') return { kind: 'huge string', body: { ...GOOD, variables: { ...GOOD.variables, name: long } }, expect: { status: 400, code: 'INVALID_REQUEST', field: where } };
      const name = `n${'a'.repeat(int(64, 5000))}`;
      return { kind: 'huge string', body: { ...GOOD, variables: { ...GOOD.variables, [name]: 'x' } }, expect: { status: 400, code: 'INVALID_REQUEST', field: 'variables' } };
    },
    () => {
      const char = pick(BAD_IN_NUMBERS);
      const index = int(0, 2);
      const receivers = goodReceivers(3);
      receivers[index] = insertAt(receivers[index] ?? '', char).text;
      // NUL is refused by the schema (Postgres cannot store it), everything else by receiver normalisation.
      return char === '\u0000'
        ? { kind: 'NUL in a number', body: withReceivers(receivers), expect: { status: 400, code: 'INVALID_REQUEST', field: `receivers[${index}]` } }
        : { kind: 'odd character in a number', body: withReceivers(receivers), expect: { status: 400, code: 'INVALID_RECEIVERS', field: `receivers[${index}]` } };
    },
    () => {
      const { text } = insertAt('Li Wei', pick(BAD_IN_VARIABLES));
      return { kind: 'odd character in a variable', body: { ...GOOD, variables: { ...GOOD.variables, name: text } }, expect: { status: 400, code: 'INVALID_REQUEST', field: 'variables.name' } };
    },
    () => {
      const where = pick(['templateCode', 'variable name']);
      if (where === 'templateCode') return { kind: 'NUL', body: { ...GOOD, templateCode: 'welcome\u0000sms' }, expect: { status: 400, code: 'INVALID_REQUEST', field: 'templateCode' } };
      return { kind: 'NUL', body: { ...GOOD, variables: { ...GOOD.variables, 'na\u0000me': 'x' } }, expect: { status: 400, code: 'INVALID_REQUEST', field: 'variables' } };
    },
    () => {
      const byId = random() < 0.5;
      const ref = byId ? { templateId: randomUUID() } : { templateCode: `no_such_${int(0, 1e9)}` };
      return { kind: 'unknown template', body: { receivers: GOOD.receivers, variables: GOOD.variables, ...ref }, expect: { status: 404, code: 'TEMPLATE_NOT_FOUND', field: byId ? 'templateId' : 'templateCode' } };
    },
    () => {
      const missing = pick(['name', 'order']);
      const variables: Record<string, string> = { ...GOOD.variables };
      delete variables[missing];
      const inherited: Record<string, string> = random() < 0.5 ? { toString: 'x' } : {}; // present, but not the one the template needs
      return { kind: 'missing variable', body: { ...GOOD, variables: { ...variables, ...inherited } }, expect: { status: 400, code: 'MISSING_VARIABLES', field: `variables.${missing}` } };
    },
    () => {
      const key = pick(['__proto__', 'constructor', 'prototype']);
      const value = pick(['"x"', '{"polluted":"yes"}', '[]', '{"toString":"pwned"}']);
      const inVariables = random() < 0.6;
      const body = inVariables
        ? `{"templateCode":"welcome_sms","receivers":["+8613800170000"],"variables":{"name":"Li","order":"1","${key}":${value}}}`
        : `{"${key}":${value},"templateCode":"welcome_sms","receivers":["+8613800170000"],"variables":{"name":"Li","order":"1"}}`;
      return { kind: 'prototype key', body, expect: { status: 400, code: 'INVALID_REQUEST', field: inVariables ? `variables.${key}` : 'body' } };
    },
    () => ({
      kind: 'bad Idempotency-Key',
      body: GOOD,
      headers: { 'idempotency-key': pick(['has space', 'x'.repeat(201), 'tab\there', 'é-key']) },
      expect: { status: 400, code: 'INVALID_REQUEST', field: 'header' },
    }),
    () => ({
      kind: 'not JSON content type',
      body: JSON.stringify(GOOD),
      headers: { 'content-type': pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) },
      expect: { status: 400, code: 'INVALID_REQUEST', field: 'body' },
    }),
    () => ({
      kind: 'bad id in path',
      body: {},
      method: 'GET',
      path: `/v1/sends/${encodeURIComponent(pick(['1', "' OR 1=1 --", '../../etc/passwd', '\u202e', '😀', '%00', 'a'.repeat(500)]))}`,
      expect: { status: 400, code: 'INVALID_REQUEST', field: 'id' },
    }),
  ];

  const cases: BadCase[] = [];
  while (cases.length < RANDOM_CASES) {
    const generated = pick(generators)();
    if (generated) cases.push(generated);
  }
  return cases;
}

/** Every field an error answer names, wherever the answer puts it. */
function namedFields(details: unknown): string[] {
  if (!details || typeof details !== 'object') return [];
  const d = details as { field?: unknown; fields?: unknown; invalid?: unknown; missing?: unknown };
  const lists = [d.fields, d.invalid, d.missing].filter(Array.isArray) as Array<Array<{ field?: unknown }>>;
  return [d.field, ...lists.flat().map((entry) => entry.field)].filter((f): f is string => typeof f === 'string' && f !== '');
}

describe('bad input never hurts', () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald();
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  it(`answers ${RANDOM_CASES} bad requests (FUZZ_SEED=${SEED}) with a clear 4xx, sends nothing, and keeps working`, async () => {
    const { prisma } = herald.deps;
    const before = { sends: await prisma.send.count(), outbox: await prisma.outbox.count(), messages: await prisma.message.count(), vendor: herald.vendor.sent().length };
    const cases = buildCases(seededRandom(SEED));
    const failures: string[] = [];

    /** One bad request, its answer checked; failures are collected, not thrown, so one run reports them all. */
    async function check(index: number, badCase: BadCase): Promise<void> {
      const method = badCase.method ?? 'POST';
      const response = await fetch(`${herald.baseUrl}${badCase.path ?? '/v1/messages'}`, {
        method,
        headers: { authorization: `Bearer ${herald.apiKey}`, 'content-type': 'application/json', ...badCase.headers },
        body: method === 'GET' ? undefined : typeof badCase.body === 'string' ? badCase.body : JSON.stringify(badCase.body),
      });
      const text = await response.text();
      let answer: { error?: { code?: unknown; message?: unknown; details?: unknown } } = {};
      try {
        answer = JSON.parse(text);
      } catch {
        // reported below: the answer must be JSON
      }
      const fields = namedFields(answer.error?.details);
      const problems = [
        response.status !== badCase.expect.status && `status ${response.status}, expected ${badCase.expect.status}`,
        answer.error?.code !== badCase.expect.code && `code ${String(answer.error?.code)}, expected ${badCase.expect.code}`,
        !(typeof answer.error?.message === 'string' && answer.error.message.length > 0) && 'no message',
        !fields.some((f) => f.startsWith(badCase.expect.field)) && `fields ${JSON.stringify(fields)} do not name ${badCase.expect.field}`,
      ].filter(Boolean);
      if (problems.length > 0) failures.push(`#${index} ${badCase.kind}: ${problems.join('; ')} — body ${JSON.stringify(badCase.body).slice(0, 160)} — answer ${text.slice(0, 200)}`);
    }

    // A few requests in flight at once, as callers send them.
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < cases.length) {
        const index = next++;
        await check(index, cases[index]);
      }
    }));

    expect(failures.sort()).toEqual([]);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect({ sends: await prisma.send.count(), outbox: await prisma.outbox.count(), messages: await prisma.message.count(), vendor: herald.vendor.sent().length }).toEqual(before);

    expect(await (await fetch(`${herald.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const good = await herald.request('POST', '/v1/messages', GOOD);
    expect(good.status).toBe(202);
    expect(good.body).toMatchObject({ accepted: 1, sends: [expect.objectContaining({ receiver: '+8613800170000' })] });
  });
});
