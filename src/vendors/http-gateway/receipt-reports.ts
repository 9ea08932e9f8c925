/** Reads a gateway's delivery reports as its `receiptPull.response` or `receiptPush.reports` describes them. */
import type { Reason } from '../../shared/states';
import { classifyHttpStatus } from '../code-table';
import type { HttpAnswer } from '../http-call';
import type { VendorReceipt } from '../types';
import { VendorError } from '../vendor-error';
import { asText, isSuccess, valueAtPath } from './answer';
import type { GatewayReceiptPull, GatewayReports } from './config';

function parsedTime(value: unknown): Date | null {
  const text = asText(value);
  if (text === null) return null;
  const time = new Date(/^\d+$/.test(text) ? Number(text) * (text.length <= 10 ? 1000 : 1) : text);
  return Number.isNaN(time.getTime()) ? null : time;
}

/**
 * The reports for the asked message ids; a report whose status is neither
 * delivered nor undelivered (still pending) is left out. An answer that is
 * not a success is a classified VendorError (the poll just tries later).
 */
export function readReceiptReports(response: GatewayReceiptPull['response'], answer: HttpAnswer, messageIds: string[]): VendorReceipt[] {
  if (!isSuccess(response, answer)) {
    const { errorClass, reason } = classifyHttpStatus(answer.status);
    throw new VendorError(errorClass, reason, `HTTP_${answer.status}`, answer.text.slice(0, 200));
  }
  const items = reportItems(response, answer.json);
  if (!items) {
    throw new VendorError('RETRYABLE', 'UNKNOWN', 'BAD_RESPONSE', `no report list at ${response.itemsPath ?? '(answer)'}: ${answer.text.slice(0, 200)}`);
  }
  return reportsIn(response, items, messageIds);
}

/** The reports of a pushed body, every message id; throws when the body has no report list where the config says. */
export function readPushedReports(reports: GatewayReports, body: unknown): VendorReceipt[] {
  const items = reportItems(reports, body);
  if (!items) throw new Error(`no report list at ${reports.itemsPath ?? '(body)'}`);
  return reportsIn(reports, items, null);
}

function reportItems(reports: GatewayReports, body: unknown): unknown[] | null {
  const items = reports.itemsPath ? valueAtPath(body, reports.itemsPath) : [body];
  return Array.isArray(items) ? items : null;
}

/** The finished reports among the items (pending ones left out), only those of `messageIds` when given. */
function reportsIn(response: GatewayReports, items: unknown[], messageIds: string[] | null): VendorReceipt[] {
  const receipts: VendorReceipt[] = [];
  for (const item of items) {
    const messageId = asText(valueAtPath(item, response.messageIdPath));
    const status = asText(valueAtPath(item, response.statusPath));
    if (messageId === null || status === null || (messageIds !== null && !messageIds.includes(messageId))) continue;
    const delivered = response.delivered.includes(status);
    if (!delivered && !response.undelivered.includes(status)) continue;
    const code = response.errorCodePath ? asText(valueAtPath(item, response.errorCodePath)) : null;
    const reason: Reason | null = delivered ? null : ((code !== null ? response.reasons[code] : undefined) ?? 'UNKNOWN');
    receipts.push({
      vendorMessageId: messageId,
      receiver: null,
      status: delivered ? 'DELIVERED' : 'UNDELIVERED',
      reason,
      vendorCode: code ?? status,
      vendorText: (response.errorTextPath ? asText(valueAtPath(item, response.errorTextPath)) : null) ?? status,
      deliveredAt: delivered ? (response.doneTimePath ? parsedTime(valueAtPath(item, response.doneTimePath)) : null) : null,
    });
  }
  return receipts;
}
