/**
 * Provider `http-gateway`: an SMS gateway described entirely by its account
 * config (config.ts). Delivery reports are not described yet: a send stays
 * SENT until the receipt window ends (EXPIRED), unless the config says the
 * gateway's acceptance is its delivery (`acceptanceIsDelivery`).
 */
import { randomUUID } from 'node:crypto';
import { readAccountParts } from '../account-config';
import { callVendorHttp } from '../http-call';
import type { OutgoingMessage, VendorAccepted, VendorAccount, VendorAdapter } from '../types';
import { readGatewayAnswer } from './answer';
import { httpGatewayConfigSchema, httpGatewaySecretsSchema } from './config';
import { renderRequest } from './render';
import { signingHeaders } from './signing';

export const httpGatewayAdapter: VendorAdapter = {
  provider: 'http-gateway',
  channel: 'SMS',
  configSchema: httpGatewayConfigSchema,
  secretsSchema: httpGatewaySecretsSchema,

  async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
    const { config, secrets } = readAccountParts(account, httpGatewayConfigSchema, httpGatewaySecretsSchema);
    const now = Date.now();
    const timestamp = config.signing.type === 'hmac' && config.signing.timestampUnit === 'ms' ? String(now) : String(Math.floor(now / 1000));
    const values = { message, timestamp, nonce: randomUUID(), secrets };
    const request = renderRequest(config.request, values);
    const headers = {
      ...request.headers,
      'content-type': request.contentType,
      ...signingHeaders(config.signing, { method: config.request.method, request, ...values }),
    };
    const answer = await callVendorHttp({ method: config.request.method, url: request.url, headers, body: request.body, timeoutMs: config.timeoutMs });
    const { messageId, code, text } = readGatewayAnswer(config.response, answer, message.sendId);
    const accepted: VendorAccepted = { vendorMessageId: messageId, vendorCode: code, vendorText: text };
    if (!config.acceptanceIsDelivery) return accepted;
    return {
      ...accepted,
      finalReceipt: {
        vendorMessageId: messageId, receiver: message.receiver, status: 'DELIVERED', reason: null, vendorCode: code,
        vendorText: 'accepted by the gateway; its config says acceptance is delivery (no delivery reports)', deliveredAt: new Date(),
      },
    };
  },
};
