/**
 * DingTalk custom group robot ("自定义机器人"): POST /robot/send?access_token=…,
 * optionally signed ("加签"): sign = base64(HMAC-SHA256(key = secret,
 * `${timestampMs}\n${secret}`)), sent url-encoded as &timestamp=&sign=.
 * Answer `{errcode, errmsg}`, HTTP 200 even on failure.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { readAccountParts } from '../account-config';
import { REJECTED, RETRYABLE, type Classification } from '../code-table';
import type { OutgoingMessage, VendorAccepted, VendorAccount, VendorAdapter } from '../types';
import { chatTargetOf, checkRobotAnswer, DEFAULT_ROBOT_TIMEOUT_MS, postRobotJson, postedToGroup, robotText } from './robot-call';
import { outboundUrlSchema } from '../outbound-url';
import type { VendorOutbound } from '../outbound/vendor-outbound';

export const dingtalkConfigSchema = z.object({
  /** Only tests and proxies change it. */
  baseUrl: outboundUrlSchema.default('https://oapi.dingtalk.com'),
  timeoutMs: z.number().int().positive().max(60_000).default(DEFAULT_ROBOT_TIMEOUT_MS),
});

export const dingtalkSecretsSchema = z.object({
  /** The access_token of the robot's webhook URL. */
  accessToken: z.string().min(1),
  /** The "SEC…" secret when the robot's security setting is signing; absent for keyword or IP-list robots. */
  signSecret: z.string().min(1).optional(),
});

/** errcode → handling. Unknown codes fall back to the HTTP status (a 200 with an unknown code is VENDOR_REJECTED). */
const DINGTALK_CODES: ReadonlyMap<string, Classification> = new Map([
  ['-1', RETRYABLE], // system busy
  ['130101', RETRYABLE], // send too fast, exceed 20 times per minute
  ['410100', RETRYABLE], // sending too fast, rate limited
  ['310000', REJECTED], // security check failed: keywords not in content / sign not match / ip not in whitelist
  ['300001', REJECTED], // token is not exist
  ['300005', REJECTED], // token is not exist
  ['400101', REJECTED], // access_token does not exist
  ['400102', REJECTED], // bot is stopped
  ['400106', REJECTED], // bot does not exist
  ['400013', REJECTED], // group dissolved
  ['40035', REJECTED], // missing parameter
  ['43004', REJECTED], // wrong content type
]);

/** The signature DingTalk expects for a timestamp in milliseconds (before url-encoding). */
function dingtalkSignature(secret: string, timestampMs: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

function robotBody(message: OutgoingMessage) {
  const target = chatTargetOf(message);
  const text = robotText(message);
  switch (target.kind) {
    case 'group':
      return { msgtype: 'text', text: { content: text } };
    case 'all':
      return { msgtype: 'text', text: { content: text }, at: { isAtAll: true } };
    case 'user':
      // DingTalk highlights the mention only when "@<userId>" appears in the text.
      return { msgtype: 'text', text: { content: `${text} @${target.userId}` }, at: { atUserIds: [target.userId], isAtAll: false } };
  }
}

export function createDingtalkAdapter(outbound: VendorOutbound): VendorAdapter {
  return {
    provider: 'dingtalk',
    channel: 'CHAT',
    configSchema: dingtalkConfigSchema,
    secretsSchema: dingtalkSecretsSchema,

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      const { config, secrets } = readAccountParts(account, dingtalkConfigSchema, dingtalkSecretsSchema);
      const query = new URLSearchParams({ access_token: secrets.accessToken });
      if (secrets.signSecret) {
        const timestamp = String(Date.now());
        query.set('timestamp', timestamp);
        query.set('sign', dingtalkSignature(secrets.signSecret, timestamp));
      }
      const url = `${config.baseUrl.replace(/\/+$/, '')}/robot/send?${query.toString()}`;
      const answer = await postRobotJson(outbound.agents, url, robotBody(message), config.timeoutMs);
      return postedToGroup(message, checkRobotAnswer(answer, 'errcode', 'errmsg', DINGTALK_CODES));
    },
  };
}
