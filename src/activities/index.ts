import { createAccountDirectory } from './account-directory';
import { createCircuitBreaker } from './circuit-breaker';
import { createDedupActivities } from './dedup-activity';
import { createDedupChecker } from './dedup';
import { createCampaignActivities } from './campaign-run';
import type { ActivityDeps } from './deps';
import { createFanOutActivities } from './fan-out-page';
import { createPrepareSendActivities } from './prepare-send';
import { createAccountRateLimiter } from './rate-limit';
import { createReceiptPollActivities } from './receipt-poll';
import { createRoutingActivities } from './routing';
import { createScreenActivities } from './screen-activity';
import { createSendRecordActivities } from './send-records';
import { createVendorBatcher } from './vendor-batcher';
import { createVendorSendActivities } from './vendor-send';
import { createRouteRuleDirectory } from '../routing/route-rule-directory';

/** Every activity of the send, fan-out and campaign-run workflows, built from the dependencies the worker owns. */
export function createActivities(deps: ActivityDeps) {
  const { prisma, redis, vendors, logger, metrics, settings } = deps;
  const accounts = createAccountDirectory(prisma, deps.secrets, settings.accountCacheMs, logger);
  const rules = createRouteRuleDirectory(prisma, settings.accountCacheMs);
  const circuit = createCircuitBreaker(redis, settings.circuit);
  const rateLimiter = createAccountRateLimiter(redis);
  const dedup = createDedupChecker(redis, { timeoutMs: settings.dedupTimeoutMs });
  const batcher = createVendorBatcher(settings.vendorBatch);

  const steps = {
    ...createScreenActivities({ prisma, whitelist: deps.whitelist, logger }),
    ...createDedupActivities({ prisma, dedup, logger, metrics }),
    ...createRoutingActivities({ prisma, accounts, rules, weights: deps.routeHealth.weights, circuit, cacheMs: settings.accountCacheMs }),
    ...createSendRecordActivities(prisma, metrics),
  };

  return {
    ...steps,
    ...createPrepareSendActivities(steps),
    ...createFanOutActivities({ prisma, starter: deps.starter, config: deps.config, logger }),
    ...createCampaignActivities({ prisma, starter: deps.starter, defaults: deps.config, logger }),
    ...createVendorSendActivities({ prisma, vendors, batcher, accounts, circuit, health: deps.routeHealth.store, rateLimiter, rateLimitMaxWaitMs: settings.rateLimitMaxWaitMs, logger, metrics }),
    ...createReceiptPollActivities({ prisma, vendors, accounts, health: deps.routeHealth.store, logger, metrics }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

