/**
 * What the three chat robots share: the text posted, the JSON call, reading
 * their `{code, text}` answers, and the acceptance that is already the outcome.
 */
import { parseChatTarget, type ChatTarget } from '../../shared/chat-target';
import type { OutgoingMessage, VendorAccepted } from '../types';
import { classifiedError, type Classification } from '../code-table';
import { callVendorHttp, type HttpAnswer } from '../http-call';
import type { GuardedAgents } from '../outbound/guarded-agents';
import { VendorError } from '../vendor-error';

export const DEFAULT_ROBOT_TIMEOUT_MS = 10_000;

/** The text of the post: the template's subject (if any) as its first line, then the content. */
export function robotText(message: OutgoingMessage): string {
  return message.subject ? `${message.subject}\n${message.content}` : message.content;
}

export async function postRobotJson(agents: GuardedAgents, url: string, body: unknown, timeoutMs: number): Promise<HttpAnswer> {
  return callVendorHttp(agents, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    timeoutMs,
  });
}

/**
 * Robots answer `{<codeField>: 0, <textField>: "ok"}` on success, usually with
 * HTTP 200 even on failure: the code decides, looked up in the vendor's
 * table, then the HTTP status. A body without the code is BAD_RESPONSE.
 */
export function checkRobotAnswer(
  answer: HttpAnswer,
  codeField: string,
  textField: string,
  codes: ReadonlyMap<string, Classification>,
): { code: string; text: string } {
  const body = typeof answer.json === 'object' && answer.json !== null ? (answer.json as Record<string, unknown>) : null;
  const code = body?.[codeField];
  const rawText = body?.[textField];
  const text = typeof rawText === 'string' ? rawText : answer.text.slice(0, 200);
  if (typeof code !== 'number') {
    if (answer.status >= 200 && answer.status < 300) {
      throw new VendorError('RETRYABLE', 'UNKNOWN', 'BAD_RESPONSE', `no numeric ${codeField} in: ${answer.text.slice(0, 200)}`);
    }
    throw classifiedError(codes, `HTTP_${answer.status}`, text, answer.status);
  }
  if (code !== 0) throw classifiedError(codes, String(code), text, answer.status);
  if (answer.status < 200 || answer.status >= 300) throw classifiedError(codes, `HTTP_${answer.status}`, text, answer.status);
  return { code: String(code), text };
}

/**
 * A robot's success means the post is in the group: that is delivery, and no
 * receipt will ever follow. Robots return no message id, so Herald's reference is it.
 */
export function postedToGroup(message: OutgoingMessage, answer: { code: string; text: string }): VendorAccepted {
  return {
    vendorMessageId: message.reference,
    vendorCode: answer.code,
    vendorText: answer.text,
    finalReceipt: {
      vendorMessageId: message.reference,
      receiver: message.receiver,
      status: 'DELIVERED',
      reason: null,
      vendorCode: answer.code,
      vendorText: 'posted to the group (a robot post has no later delivery report)',
      deliveredAt: new Date(),
    },
  };
}

/** The send's receiver as a chat target; the API accepts only valid ones, so anything else is a bad receiver. */
export function chatTargetOf(message: OutgoingMessage): ChatTarget {
  const target = parseChatTarget(message.receiver);
  if (!target) {
    throw new VendorError('RECEIVER_INVALID', 'INVALID_RECEIVER', 'INVALID_CHAT_TARGET', 'receiver must be "group", "@all" or "@<userId>"');
  }
  return target;
}
