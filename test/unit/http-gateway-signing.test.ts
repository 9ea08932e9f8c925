import { createHmac } from 'node:crypto';
import { httpGatewayConfigSchema } from '../../src/vendors/http-gateway/config';
import { renderRequest } from '../../src/vendors/http-gateway/render';
import { signingHeaders } from '../../src/vendors/http-gateway/signing';

const message = { sendId: 's-1', reference: 's-1', receiver: '+8613800138000', content: 'hi', subject: null, vendorTemplateId: null, variables: {} };
const values = { message, messageId: null, timestamp: '1700000000000', nonce: 'n-1', secrets: { token: 'tok-1', key: 'key-1' } };

function configWith(signing: unknown) {
  return httpGatewayConfigSchema.parse({
    request: { url: 'https://gw.example/v1/send?x=1', query: { ref: '{sendId}' }, body: { encoding: 'json', fields: { to: '{receiver}', ts: '{timestamp}' } } },
    signing,
    response: {},
  });
}

describe('http-gateway signing', () => {
  it('bearer: the token from the named secret in the named header', () => {
    const config = configWith({ type: 'bearer', secret: 'token' });
    const request = renderRequest(config.request, values);
    expect(signingHeaders(config.signing, { method: 'POST', request, ...values })).toEqual({ authorization: 'Bearer tok-1' });
  });

  it('hmac: the configured parts in order, with separator, encoding, prefix and nonce header', () => {
    const config = configWith({
      type: 'hmac', algorithm: 'sha512', secret: 'key', signed: ['nonce', 'path', 'body'], separator: '|', encoding: 'base64',
      signatureHeader: 'X-Sig', signaturePrefix: 'HMAC ', nonceHeader: 'X-Nonce', timestampUnit: 'ms',
    });
    const request = renderRequest(config.request, values);
    expect(request.pathAndQuery).toBe('/v1/send?x=1&ref=s-1');
    expect(request.body).toBe('{"to":"+8613800138000","ts":"1700000000000"}');
    const expected = createHmac('sha512', 'key-1').update(`n-1|/v1/send?x=1&ref=s-1|${request.body}`).digest('base64');
    expect(signingHeaders(config.signing, { method: 'POST', request, ...values })).toEqual({ 'x-sig': `HMAC ${expected}`, 'x-nonce': 'n-1' });
  });

  it('a missing secret is the account\'s CONFIG_INVALID, naming the secret', () => {
    const config = configWith({ type: 'bearer', secret: 'absent' });
    const request = renderRequest(config.request, values);
    let thrown: unknown;
    try {
      signingHeaders(config.signing, { method: 'POST', request, ...values });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ vendorCode: 'CONFIG_INVALID', vendorText: expect.stringContaining('absent') });
  });
});
