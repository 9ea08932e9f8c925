import { httpGatewayConfigSchema } from '../../src/vendors/http-gateway/config';
import { acmeGatewayConfig } from '../fakes/http-gateway';

function issues(config: unknown): Array<{ path: string; message: string }> {
  const parsed = httpGatewayConfigSchema.safeParse(config);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

const valid = acmeGatewayConfig('https://sms.acme.example/api/v3/messages');

describe('http-gateway config schema', () => {
  it('accepts a complete description and fills the defaults', () => {
    const parsed = httpGatewayConfigSchema.parse({ request: { url: 'https://gw.example/send', body: { encoding: 'form', fields: { to: '{receiver}' } } }, response: {} });
    expect(parsed).toMatchObject({ request: { method: 'POST', query: {}, headers: {} }, signing: { type: 'none' }, response: { codes: {} }, acceptanceIsDelivery: false, timeoutMs: 10_000 });
    expect(issues(valid)).toEqual([]);
  });

  it('names the field of an unknown placeholder', () => {
    const config = { ...valid, request: { ...(valid.request as object), body: { encoding: 'json', fields: { to: '{receiver}', text: ['{contnet}'] } } } };
    expect(issues(config)).toEqual([{ path: 'request.body.fields.text.0', message: expect.stringContaining('unknown placeholder {contnet}') }]);
  });

  it('keeps message data out of headers and {variables} out of form bodies', () => {
    const request = valid.request as Record<string, unknown>;
    expect(issues({ ...valid, request: { ...request, headers: { 'X-To': '{receiver}' } } }))
      .toEqual([{ path: 'request.headers.X-To', message: '{receiver} is message data and cannot go into a header' }]);
    expect(issues({ ...valid, request: { ...request, body: { encoding: 'form', fields: { vars: '{variables}' } } } }))
      .toEqual([{ path: 'request.body.fields.vars', message: '{variables} must be the whole value of a JSON body field' }]);
  });

  it('refuses a signed timestamp that is never sent, and a half success condition', () => {
    const signing = { ...(valid.signing as object), timestampHeader: undefined };
    expect(issues({ ...valid, signing })).toEqual([{ path: 'signing.timestampHeader', message: expect.stringContaining('timestamp is signed but never sent') }]);
    const response = { ...(valid.response as object), successValue: undefined };
    expect(issues({ ...valid, response })).toEqual([{ path: 'response.successValue', message: 'successPath and successValue go together' }]);
  });

  it('checks the code table: known classes and gateway reasons only', () => {
    const response = { ...(valid.response as object), codes: { X: { class: 'MAYBE' }, Y: { class: 'RECEIVER_INVALID', reason: 'NIGHT_SHIELD' } } };
    expect(issues({ ...valid, response }).map((issue) => issue.path)).toEqual(['response.codes.X.class', 'response.codes.Y.reason']);
  });

  it('refuses bad header names, a non-http URL and an unknown signing type', () => {
    const request = valid.request as Record<string, unknown>;
    expect(issues({ ...valid, request: { ...request, headers: { 'X Bad': 'v' } } }).map((issue) => issue.path)).toEqual(['request.headers.X Bad']);
    expect(issues({ ...valid, request: { ...request, url: 'ftp://gw.example/' } }).map((issue) => issue.path)).toEqual(['request.url']);
    expect(issues({ ...valid, signing: { type: 'rsa' } }).map((issue) => issue.path)).toEqual(['signing.type']);
  });

  it('refuses unknown fields (a typo is not silently ignored)', () => {
    expect(issues({ ...valid, response: { ...(valid.response as object), sucessPath: 'x' } })).toEqual([expect.objectContaining({ path: 'response', message: expect.stringContaining('sucessPath') })]);
  });

  it('keeps the receipt pull to {messageId}, and {messageId} out of the send', () => {
    const pull = valid.receiptPull as { request: object };
    expect(issues({ ...valid, receiptPull: { ...pull, request: { ...pull.request, query: { to: '{receiver}' } } } }))
      .toEqual([{ path: 'receiptPull.request.query.to', message: expect.stringContaining('knows only messageId') }]);
    const request = valid.request as Record<string, unknown>;
    expect(issues({ ...valid, request: { ...request, query: { id: '{messageId}' } } }))
      .toEqual([{ path: 'request.query.id', message: '{messageId} is only known to a receipt pull' }]);
  });
});
