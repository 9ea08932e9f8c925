/**
 * WeCom (企业微信) group robot: POST /cgi-bin/webhook/send?key=…; no signing
 * (the key is the credential). Answer `{errcode, errmsg}`.
 */
import { z } from 'zod';
import { readAccountParts } from '../account-config';
import { REJECTED, RETRYABLE, type Classification } from '../code-table';
import type { OutgoingMessage, VendorAccepted, VendorAccount, VendorAdapter } from '../types';
import { chatTargetOf, checkRobotAnswer, DEFAULT_ROBOT_TIMEOUT_MS, postRobotJson, postedToGroup, robotText } from './robot-call';
import { outboundUrlSchema } from '../outbound-url';
import type { VendorOutbound } from '../outbound/vendor-outbound';

export const wecomConfigSchema = z.object({
  baseUrl: outboundUrlSchema.default('https://qyapi.weixin.qq.com'),
  timeoutMs: z.number().int().positive().max(60_000).default(DEFAULT_ROBOT_TIMEOUT_MS),
});

export const wecomSecretsSchema = z.object({
  /** The key= of the robot's webhook URL. */
  key: z.string().min(1),
});

const WECOM_CODES: ReadonlyMap<string, Classification> = new Map([
  ['-1', RETRYABLE], // system busy
  ['45009', RETRYABLE], // api freq out of limit (20 per minute per robot)
  ['93000', REJECTED], // invalid webhook url (key wrong or robot removed)
  ['93004', REJECTED], // robot disabled
  ['40008', REJECTED], // invalid message type
  ['44004', REJECTED], // empty content
  ['45002', REJECTED], // content too long
]);

function mentions(message: OutgoingMessage): { mentioned_list?: string[] } {
  const target = chatTargetOf(message);
  switch (target.kind) {
    case 'group':
      return {};
    case 'all':
      return { mentioned_list: ['@all'] };
    case 'user':
      return { mentioned_list: [target.userId] };
  }
}

export function createWecomAdapter(outbound: VendorOutbound): VendorAdapter {
  return {
    provider: 'wecom',
    channel: 'CHAT',
    configSchema: wecomConfigSchema,
    secretsSchema: wecomSecretsSchema,

    async send(account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted> {
      const { config, secrets } = readAccountParts(account, wecomConfigSchema, wecomSecretsSchema);
      const url = `${config.baseUrl.replace(/\/+$/, '')}/cgi-bin/webhook/send?${new URLSearchParams({ key: secrets.key }).toString()}`;
      const body = { msgtype: 'text', text: { content: robotText(message), ...mentions(message) } };
      const answer = await postRobotJson(outbound.agents, url, body, config.timeoutMs);
      return postedToGroup(message, checkRobotAnswer(answer, 'errcode', 'errmsg', WECOM_CODES));
    },
  };
}
