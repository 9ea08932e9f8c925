import { createHmac } from 'node:crypto';
import { VendorError } from '../vendor-error';
import type { GatewaySigning } from './config';
import type { RenderedRequest } from './render';

export interface SigningInput {
  method: string;
  request: RenderedRequest;
  timestamp: string;
  nonce: string;
  secrets: Record<string, string>;
}

function secretOf(secrets: Record<string, string>, name: string): string {
  const secret = secrets[name];
  if (secret === undefined) throw new VendorError('VENDOR_REJECTED', 'VENDOR_REJECTED', 'CONFIG_INVALID', `the account has no secret ${name} (signing)`);
  return secret;
}

/** The headers the signing choice adds: none, a bearer token, or an HMAC over the configured parts. */
export function signingHeaders(signing: GatewaySigning, input: SigningInput): Record<string, string> {
  switch (signing.type) {
    case 'none':
      return {};
    case 'bearer': {
      const token = secretOf(input.secrets, signing.secret);
      return { [signing.header.toLowerCase()]: signing.scheme ? `${signing.scheme} ${token}` : token };
    }
    case 'hmac': {
      const parts: Record<(typeof signing.signed)[number], string> = {
        method: input.method,
        path: input.request.pathAndQuery,
        timestamp: input.timestamp,
        nonce: input.nonce,
        body: input.request.body,
      };
      const signed = signing.signed.map((part) => parts[part]).join(signing.separator);
      const signature = createHmac(signing.algorithm, secretOf(input.secrets, signing.secret)).update(signed, 'utf8').digest(signing.encoding);
      const headers: Record<string, string> = { [signing.signatureHeader.toLowerCase()]: `${signing.signaturePrefix}${signature}` };
      if (signing.timestampHeader) headers[signing.timestampHeader.toLowerCase()] = input.timestamp;
      if (signing.nonceHeader) headers[signing.nonceHeader.toLowerCase()] = input.nonce;
      return headers;
    }
  }
}
