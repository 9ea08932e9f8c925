/**
 * Provider `http-gateway`: an SMS gateway described entirely by its account
 * config (config.ts): the send request, its signing, the answer, and
 * optionally how to pull delivery reports and how to read (and verify the
 * signature of) the ones it pushes. Without either a send
 * stays SENT until the receipt window ends (EXPIRED), unless the config says
 * the gateway's acceptance is its delivery (`acceptanceIsDelivery`).
 */
import { randomUUID } from 'node:crypto';
import { readAccountParts } from '../account-config';
import { callVendorHttp, type HttpAnswer, type HttpRequest } from '../http-call';
import type { VendorOutbound } from '../outbound/vendor-outbound';
import type { OutgoingMessage, PushedRequest, SentMessage, VendorAccepted, VendorAccount, VendorAdapter, VendorReceipt } from '../types';
import { readGatewayAnswer } from './answer';
import { httpGatewayConfigSchema, httpGatewaySecretsSchema, type GatewayRequest, type HttpGatewayConfig } from './config';
import { pushSignatureProblem } from './push-signature';
import { readPushedReports, readReceiptReports } from './receipt-reports';
import { renderRequest } from './render';
import { signingHeaders } from './signing';

/** One rendered, signed call to the gateway. */
async function callGateway(
  outbound: VendorOutbound,
  config: HttpGatewayConfig,
  secrets: Record<string, string>,
  method: HttpRequest['method'],
  template: GatewayRequest,
  subject: { message: OutgoingMessage | null; messageId: string | null },
): Promise<HttpAnswer> {
  const now = Date.now();
  const timestamp = config.signing.type === 'hmac' && config.signing.timestampUnit === 'ms' ? String(now) : String(Math.floor(now / 1000));
  const values = { ...subject, timestamp, nonce: randomUUID(), secrets };
  const request = renderRequest(template, values);
  const headers = {
    ...request.headers,
    ...(request.contentType ? { 'content-type': request.contentType } : {}),
    ...signingHeaders(config.signing, { method, request, ...values }),
  };
  return callVendorHttp(outbound.agents, { method, url: request.url, headers, body: request.contentType ? request.body : undefined, timeoutMs: config.timeoutMs });
}

export function createHttpGatewayAdapter(outbound: VendorOutbound): VendorAdapter {
  return {
    provider: 'http-gateway',
    channel: 'SMS',
    configSchema: httpGatewayConfigSchema,
    secretsSchema: httpGatewaySecretsSchema,

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      const { config, secrets } = readAccountParts(account, httpGatewayConfigSchema, httpGatewaySecretsSchema);
      const answer = await callGateway(outbound, config, secrets, config.request.method, config.request, { message, messageId: null });
      const { messageId, code, text } = readGatewayAnswer(config.response, answer, message.reference);
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

    /** An account whose config has `receiptPush.signature` takes only pushes whose signature verifies. */
    verifyPush(account: VendorAccount, push: PushedRequest): string | null {
      const { config, secrets } = readAccountParts(account, httpGatewayConfigSchema, httpGatewaySecretsSchema);
      const signature = config.receiptPush?.signature;
      return signature ? pushSignatureProblem(signature, secrets, push) : null;
    },

    /** Reports as the account's `receiptPush.reports` describes them; an account without it takes no pushes. */
    parsePushedReceipts(body: unknown, account: VendorAccount): VendorReceipt[] {
      const { config } = readAccountParts(account, httpGatewayConfigSchema, httpGatewaySecretsSchema);
      if (!config.receiptPush) throw new Error('this account takes no receipt pushes (its config has no receiptPush)');
      return readPushedReports(config.receiptPush.reports, body);
    },

    /** Asks once per message id; an account without `receiptPull` has nothing to ask. */
    async pullReceipts(account: VendorAccount, sent: SentMessage[]): Promise<VendorReceipt[]> {
      const { config, secrets } = readAccountParts(account, httpGatewayConfigSchema, httpGatewaySecretsSchema);
      const pull = config.receiptPull;
      if (!pull) return [];
      const receipts: VendorReceipt[] = [];
      for (const { vendorMessageId: messageId } of sent) {
        const answer = await callGateway(outbound, config, secrets, pull.request.method, pull.request, { message: null, messageId });
        receipts.push(...readReceiptReports(pull.response, answer, [messageId]));
      }
      return receipts;
    },
  };
}
