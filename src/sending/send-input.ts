import { createHash } from 'node:crypto';
import type { Config } from '../config';
import type { SendInput } from '../shared/contract';
import type { AmbiguityPolicy, Channel, MessageType, ShieldPolicy } from '../shared/states';

export interface SendRow {
  id: string;
  messageId: string;
  receiver: string;
  channel: string;
  content: string;
  sendAt: Date | null;
  /** A fallback send: the send it falls back for (it starts no fallback of its own). */
  fallbackOf?: string | null;
}

export interface TemplateRow {
  id: string;
  code: string;
  teamId: string;
  messageType: string;
  shieldPolicy: string;
  quietStart: string | null;
  quietEnd: string | null;
  releaseAt: string | null;
  timeZone: string | null;
  dedupContentSeconds: number | null;
  dedupContentMax: number | null;
  dailyCapMax: number | null;
  reroutesMax: number | null;
  fallbackTemplateId: string | null;
  fallbackAfterSeconds: number | null;
  bypassTeamSuppression: boolean;
  ambiguityPolicy: string;
  verifySeconds: number | null;
}

export type InputDefaults = Pick<
  Config,
  | 'DEFAULT_TIME_ZONE' | 'DEFAULT_QUIET_START' | 'DEFAULT_QUIET_END' | 'DEFAULT_RELEASE_AT'
  | 'DEFAULT_DEDUP_CONTENT_SECONDS' | 'DEFAULT_DEDUP_CONTENT_MAX' | 'DEFAULT_DAILY_CAP_MAX' | 'DEFAULT_VERIFY_SECONDS'
  | 'RECEIPT_WINDOW_SECONDS' | 'RECEIPT_POLL_FIRST_SECONDS' | 'RECEIPT_POLL_MAX_SECONDS' | 'REROUTE_MAX_DEFAULT'
>;

/** The workflow's input: the send, its template's rules with config defaults applied. Used by the API and the outbox relay. */
export function buildSendInput(send: SendRow, template: TemplateRow, callerId: string, defaults: InputDefaults): SendInput {
  return {
    sendId: send.id,
    messageId: send.messageId,
    receiver: send.receiver,
    channel: send.channel as Channel,
    messageType: template.messageType as MessageType,
    templateId: template.id,
    templateCode: template.code,
    teamId: template.teamId,
    callerId,
    contentHash: createHash('sha256').update(send.content).digest('hex'),
    sendAt: send.sendAt?.toISOString() ?? null,
    // Only VERIFICATION may pass a team's own list (a login code the user asked for right now).
    bypassTeamSuppression: template.messageType === 'VERIFICATION' && template.bypassTeamSuppression,
    shield: {
      policy: template.shieldPolicy as ShieldPolicy,
      quietStart: template.quietStart ?? defaults.DEFAULT_QUIET_START,
      quietEnd: template.quietEnd ?? defaults.DEFAULT_QUIET_END,
      releaseAt: template.releaseAt ?? defaults.DEFAULT_RELEASE_AT,
      timeZone: template.timeZone ?? defaults.DEFAULT_TIME_ZONE,
    },
    dedup: {
      contentWindowSeconds: template.dedupContentSeconds ?? defaults.DEFAULT_DEDUP_CONTENT_SECONDS,
      contentMax: template.dedupContentMax ?? defaults.DEFAULT_DEDUP_CONTENT_MAX,
      dailyCapMax: template.dailyCapMax ?? defaults.DEFAULT_DAILY_CAP_MAX,
    },
    ambiguity: {
      policy: template.ambiguityPolicy as AmbiguityPolicy,
      verifySeconds: template.verifySeconds ?? defaults.DEFAULT_VERIFY_SECONDS,
    },
    receipt: {
      windowSeconds: defaults.RECEIPT_WINDOW_SECONDS,
      pollFirstSeconds: defaults.RECEIPT_POLL_FIRST_SECONDS,
      pollMaxSeconds: defaults.RECEIPT_POLL_MAX_SECONDS,
    },
    reroutesMax: template.reroutesMax ?? defaults.REROUTE_MAX_DEFAULT,
    fallback: template.fallbackTemplateId && !send.fallbackOf ? { afterSeconds: template.fallbackAfterSeconds } : null,
  };
}
