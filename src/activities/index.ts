import { createAccountDirectory } from './account-directory';
import { createCircuitBreaker } from './circuit-breaker';
import { createDedupActivities } from './dedup-activity';
import { createDedupChecker } from './dedup';
import type { ActivityDeps } from './deps';
import { createAccountRateLimiter } from './rate-limit';
import { createReceiptPollActivities } from './receipt-poll';
import { createRoutingActivities } from './routing';
import { createScreenActivities } from './screen-activity';
import { createSendRecordActivities } from './send-records';
import { createVendorSendActivities } from './vendor-send';

/** Every activity of the send workflow, built from the dependencies the worker owns. */
export function createActivities(deps: ActivityDeps) {
  const { prisma, redis, vendors, logger, metrics, settings } = deps;
  const accounts = createAccountDirectory(prisma, deps.secrets, settings.accountCacheMs, logger);
  const circuit = createCircuitBreaker(redis, settings.circuit);
  const rateLimiter = createAccountRateLimiter(redis);
  const dedup = createDedupChecker(redis, { timeoutMs: settings.dedupTimeoutMs });

  return {
    ...createScreenActivities({ prisma, whitelist: deps.whitelist, logger }),
    ...createDedupActivities({ prisma, dedup, logger, metrics }),
    ...createRoutingActivities({ accounts, circuit }),
    ...createVendorSendActivities({ prisma, vendors, accounts, circuit, rateLimiter, rateLimitMaxWaitMs: settings.rateLimitMaxWaitMs, logger, metrics }),
    ...createReceiptPollActivities({ prisma, vendors, accounts, logger, metrics }),
    ...createSendRecordActivities(prisma, metrics),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** The campaign run's activities (open a run, start a page of sends, finish): built apart, they need a Temporal client. */
export { createCampaignActivities, type CampaignActivities, type CampaignActivityDeps } from './campaign-run';
