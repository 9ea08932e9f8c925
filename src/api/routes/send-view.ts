import type { Config } from '../../config';
import { sendWorkflowId } from '../../shared/contract';
import type { AnswerOf, sendViewSchema } from '../answers';

interface SendFields {
  id: string;
  receiver: string;
  channel: string;
  fallbackOf: string | null;
  status: string;
  reason: string | null;
  reasonDetail: string | null;
  provider: string | null;
  vendorMessageId: string | null;
  vendorCode: string | null;
  vendorText: string | null;
  segments: number;
  deferredUntil: Date | null;
  sendAt: Date | null;
  dedupSkipped: boolean;
  collidedWithSendId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  finishedAt: Date | null;
  runId: string | null;
  runNo: number;
}

/** Where ops look at the send's full history. */
export function workflowUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, sendId: string): string {
  return `${config.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${sendWorkflowId(sendId)}`;
}

export function describeSend(send: SendFields, config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>): AnswerOf<typeof sendViewSchema> {
  return {
    sendId: send.id,
    receiver: send.receiver,
    channel: send.channel,
    fallbackOf: send.fallbackOf,
    status: send.status,
    reason: send.reason,
    reasonDetail: send.reasonDetail,
    vendor: send.provider,
    vendorMessageId: send.vendorMessageId,
    vendorCode: send.vendorCode,
    vendorText: send.vendorText,
    segments: send.segments,
    sendAt: send.sendAt,
    deferredUntil: send.deferredUntil,
    dedupSkipped: send.dedupSkipped,
    collidedWithSendId: send.collidedWithSendId,
    createdAt: send.createdAt,
    sentAt: send.sentAt,
    finishedAt: send.finishedAt,
    runNo: send.runNo,
    runId: send.runId,
    workflowId: sendWorkflowId(send.id),
    workflowUrl: workflowUrl(config, send.id),
  };
}

/** A message's head as the message routes show it. */
export function describeMessage(message: { id: string; createdAt: Date; receiverCount: number; template: { code: string; channel: string } }) {
  return {
    messageId: message.id,
    template: message.template.code,
    channel: message.template.channel,
    createdAt: message.createdAt,
    receiverCount: message.receiverCount,
  };
}
