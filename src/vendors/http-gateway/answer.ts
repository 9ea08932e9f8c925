/**
 * Reads a gateway's answer as its config describes: success condition,
 * message id, error code and text; errors classified by the config's code
 * table, then by HTTP status.
 */
import { RETRYABLE, classifyHttpStatus, type Classification } from '../code-table';
import type { HttpAnswer } from '../http-call';
import { VendorError } from '../vendor-error';
import type { GatewayResponse, SuccessCondition } from './config';

/** `data.items.0.id` in parsed JSON; undefined when any step is missing. */
export function valueAtPath(root: unknown, path: string): unknown {
  let value = root;
  for (const step of path.split('.')) {
    if (Array.isArray(value) && /^\d+$/.test(step)) value = value[Number(step)];
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) value = (value as Record<string, unknown>)[step];
    else return undefined;
  }
  return value;
}

export function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

const DEFAULT_REASON = { RETRYABLE: 'UNKNOWN', VENDOR_REJECTED: 'VENDOR_REJECTED', RECEIVER_INVALID: 'INVALID_RECEIVER' } as const;

function classify(response: GatewayResponse, code: string, httpStatus: number): Classification {
  const entry = response.codes[code];
  if (entry) return { errorClass: entry.class, reason: entry.reason ?? DEFAULT_REASON[entry.class] };
  return classifyHttpStatus(httpStatus);
}

export function isSuccess(condition: SuccessCondition, answer: HttpAnswer): boolean {
  const statusOk = condition.successStatus ? condition.successStatus.includes(answer.status) : answer.status >= 200 && answer.status < 300;
  if (!statusOk) return false;
  if (condition.successPath === undefined) return true;
  return asText(valueAtPath(answer.json, condition.successPath)) === String(condition.successValue);
}

/** The gateway's message id on success (Herald's reference when the answer has none); a classified VendorError otherwise. */
export function readGatewayAnswer(response: GatewayResponse, answer: HttpAnswer, reference: string): { messageId: string; code: string; text: string } {
  const code = response.errorCodePath ? asText(valueAtPath(answer.json, response.errorCodePath)) : null;
  const text = (response.errorTextPath ? asText(valueAtPath(answer.json, response.errorTextPath)) : null) ?? answer.text.slice(0, 200);
  if (isSuccess(response, answer)) {
    if (!response.messageIdPath) return { messageId: reference, code: code ?? String(answer.status), text };
    const messageId = asText(valueAtPath(answer.json, response.messageIdPath));
    if (!messageId) {
      throw new VendorError(RETRYABLE.errorClass, RETRYABLE.reason, 'BAD_RESPONSE', `success without a message id at ${response.messageIdPath}: ${answer.text.slice(0, 200)}`);
    }
    return { messageId, code: code ?? String(answer.status), text };
  }
  const vendorCode = code ?? `HTTP_${answer.status}`;
  const { errorClass, reason } = classify(response, vendorCode, answer.status);
  throw new VendorError(errorClass, reason, vendorCode, text);
}
