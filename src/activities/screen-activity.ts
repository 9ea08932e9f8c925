import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { blockingSuppression } from '../screening/suppression-list';
import type { Whitelist } from '../screening/whitelist';
import { maskReceiver } from '../shared/mask';
import type { Channel } from '../shared/states';
import type { SuppressionReason } from '../shared/suppression';

export interface ScreenRequest {
  sendId: string;
  receiver: string;
  channel: Channel;
  teamId: string;
  /** A VERIFICATION template that may pass the team's own suppression list (never the global one). */
  bypassTeamSuppression: boolean;
}

export type ScreenVerdict =
  | { outcome: 'PASS' }
  | { outcome: 'SUPPRESSED'; reason: SuppressionReason; detail: string }
  | { outcome: 'FILTERED'; reason: 'NOT_WHITELISTED'; detail: string };

/**
 * Who may get this send at all, decided before dedup counts it and before
 * any vendor call: the suppression list (global, then the team's), then, in
 * test mode, the whitelist.
 */
export function createScreenActivities(deps: { prisma: PrismaClient; whitelist: Whitelist; logger: Logger }) {
  return {
    async screenReceiver(request: ScreenRequest): Promise<ScreenVerdict> {
      const entry = await blockingSuppression(deps.prisma, request);
      if (entry) {
        const list = entry.teamId === null ? 'the global suppression list' : "the team's suppression list";
        return {
          outcome: 'SUPPRESSED',
          reason: entry.reason as SuppressionReason,
          detail: `on ${list} since ${entry.createdAt.toISOString()} (${entry.reason}, source ${entry.source}${entry.detail ? `: ${entry.detail}` : ''})`,
        };
      }
      if (deps.whitelist && !deps.whitelist.has(request.receiver)) {
        deps.logger.info({ sendId: request.sendId, receiver: maskReceiver(request.receiver) }, 'send filtered: receiver not whitelisted');
        return { outcome: 'FILTERED', reason: 'NOT_WHITELISTED', detail: 'test mode (WHITELIST_ENABLED): the receiver is not in WHITELIST_RECEIVERS; nothing was sent' };
      }
      return { outcome: 'PASS' };
    },
  };
}
