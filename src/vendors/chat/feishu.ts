/**
 * Feishu / Lark custom bot webhook: POST /open-apis/bot/v2/hook/<token>.
 * Optional signing: sign = base64(HMAC-SHA256(key = `${timestampSec}\n${secret}`,
 * empty message)), sent in the body as {timestamp, sign}. Answer `{code, msg}`.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { readAccountParts } from '../account-config';
import { REJECTED, RETRYABLE, type Classification } from '../code-table';
import type { OutgoingMessage, VendorAccepted, VendorAccount, VendorAdapter } from '../types';
import { chatTargetOf, checkRobotAnswer, DEFAULT_ROBOT_TIMEOUT_MS, postRobotJson, postedToGroup, robotText } from './robot-call';
import { outboundUrlSchema } from '../outbound-url';
import type { VendorOutbound } from '../outbound/vendor-outbound';

export const feishuConfigSchema = z.object({
  /** https://open.feishu.cn (Feishu) or https://open.larksuite.com (Lark). */
  baseUrl: outboundUrlSchema.default('https://open.feishu.cn'),
  timeoutMs: z.number().int().positive().max(60_000).default(DEFAULT_ROBOT_TIMEOUT_MS),
});

export const feishuSecretsSchema = z.object({
  /** The last path segment of the webhook URL. */
  hookToken: z.string().min(1),
  /** The signature-verification secret ("签名校验"), when enabled on the bot. */
  signSecret: z.string().min(1).optional(),
});

/** code → handling; 9499 (Bad Request, also seen as "too many request") is left to the HTTP status. */
const FEISHU_CODES: ReadonlyMap<string, Classification> = new Map([
  ['11232', RETRYABLE], // frequency limited
  ['19021', REJECTED], // sign match fail or timestamp is not within one hour from current time
  ['19022', REJECTED], // Ip Not Allowed
  ['19024', REJECTED], // Key Words Not Found
  ['19001', REJECTED], // param invalid: incoming webhook access token invalid
  ['19007', REJECTED], // Bot Not Enabled
]);

/** The signature Feishu expects for a timestamp in seconds. */
function feishuSignature(secret: string, timestampSec: string): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}

function mention(message: OutgoingMessage): string {
  const target = chatTargetOf(message);
  switch (target.kind) {
    case 'group':
      return '';
    case 'all':
      return '<at user_id="all">all</at> ';
    case 'user':
      return `<at user_id="${target.userId}"></at> `;
  }
}

export function createFeishuAdapter(outbound: VendorOutbound): VendorAdapter {
  return {
    provider: 'feishu',
    channel: 'CHAT',
    configSchema: feishuConfigSchema,
    secretsSchema: feishuSecretsSchema,

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      const { config, secrets } = readAccountParts(account, feishuConfigSchema, feishuSecretsSchema);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = secrets.signSecret ? { timestamp, sign: feishuSignature(secrets.signSecret, timestamp) } : {};
      const body = { ...signature, msg_type: 'text', content: { text: `${mention(message)}${robotText(message)}` } };
      const url = `${config.baseUrl.replace(/\/+$/, '')}/open-apis/bot/v2/hook/${encodeURIComponent(secrets.hookToken)}`;
      const answer = await postRobotJson(outbound.agents, url, body, config.timeoutMs);
      return postedToGroup(message, checkRobotAnswer(answer, 'code', 'msg', FEISHU_CODES));
    },
  };
}
