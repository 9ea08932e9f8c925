import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import { countReceipts, type Metrics } from '../observability/metrics';
import { freshNotices, receiptForSend, storeReceipts } from '../receipts/receipt-store';
import type { ReceiptNotice } from '../shared/contract';
import type { Channel } from '../shared/states';
import type { VendorRegistry } from '../vendors/types';
import type { HealthStore } from '../routing/health-store';
import type { AccountDirectory } from './account-directory';
import type { RunClaims } from './run-claim';

export interface ReceiptPollRequest {
  sendId: string;
  channel: Channel;
  accountId: string;
  provider: string;
  vendorMessageId: string;
}

/**
 * The fallback for pushes that never came: look in our own receipt table
 * first (a push may have been stored while the workflow could not be
 * signalled), then ask the vendor's pull API.
 */
export function createReceiptPollActivities(deps: {
  prisma: PrismaClient;
  vendors: VendorRegistry;
  accounts: AccountDirectory;
  /** Receipts pulled here count into the account's delivery rate. */
  health: HealthStore;
  runs: Pick<RunClaims, 'currentRun'>;
  logger: Logger;
  metrics: Metrics;
}) {
  return {
    async pollReceipt(request: ReceiptPollRequest): Promise<ReceiptNotice | null> {
      const { prisma } = deps;
      const receiptAccount = { id: request.accountId, provider: request.provider };
      const send = { id: request.sendId, runId: deps.runs.currentRun() };
      const known = await receiptForSend(prisma, send, receiptAccount, request.vendorMessageId);
      if (known) return known;

      const adapter = deps.vendors.get(request.provider);
      const account = await deps.accounts.account(request.channel, request.accountId);
      if (!adapter?.pullReceipts || !account) return null;

      const row = await prisma.send.findUniqueOrThrow({ where: { id: request.sendId }, select: { receiver: true, sentAt: true } });
      const pulled = await adapter.pullReceipts(account, [
        // sentAt is written with the vendor id; a send polled without it was accepted just now.
        { vendorMessageId: request.vendorMessageId, receiver: row.receiver, sentAt: row.sentAt ?? new Date() },
      ]);
      if (pulled.length === 0) return null;
      const stored = await storeReceipts(prisma, receiptAccount, pulled, 'POLL');
      countReceipts(deps.metrics, request.provider, pulled);
      await deps.health.recordReceipts(request.accountId, freshNotices(stored));
      deps.logger.debug({ sendId: request.sendId, provider: request.provider }, 'receipt pulled');
      return receiptForSend(prisma, send, receiptAccount, request.vendorMessageId);
    },
  };
}
