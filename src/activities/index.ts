import { createAccountDirectory } from './account-directory';
import { createCircuitBreaker } from './circuit-breaker';
import { createDedupActivities } from './dedup-activity';
import { createDedupChecker } from './dedup';
import { createCampaignActivities } from './campaign-run';
import type { ActivityDeps } from './deps';
import { createFallbackActivities } from './fallback-start';
import { createFanOutActivities } from './fan-out-page';
import { createPrepareSendActivities } from './prepare-send';
import { createAccountRateLimiter } from './rate-limit';
import { createReceiptPollActivities } from './receipt-poll';
import { createRoutingActivities } from './routing';
import { createRunClaims } from './run-claim';
import { createScreenActivities } from './screen-activity';
import { createSendRecordActivities } from './send-records';
import { createVendorBatcher } from './vendor-batcher';
import { createVendorSendActivities } from './vendor-send';
import { createVerifyAttemptActivities } from './verify-attempt';
import { createRouteRuleDirectory } from '../routing/route-rule-directory';

/**
 * Every activity of the send, fan-out and campaign-run workflows, built from the dependencies the
 * worker owns. Screening, dedup and routing are steps of `screeningDedupNightShield` / `routeAfterNightShield`, not
 * activities of their own.
 */
export function createActivities(deps: ActivityDeps) {
  const { prisma, redis, vendors, logger, metrics, settings } = deps;
  const accounts = createAccountDirectory(prisma, deps.secrets, settings.accountCacheMs, logger);
  const circuit = createCircuitBreaker(redis, settings.circuit);
  const rateLimiter = createAccountRateLimiter(redis);
  const dedup = createDedupChecker(redis, { timeoutMs: settings.dedupTimeoutMs });
  const batcher = createVendorBatcher(settings.vendorBatch);
  const rules = createRouteRuleDirectory(prisma, settings.accountCacheMs);
  const runs = createRunClaims({ prisma, workflowRuns: deps.workflowRuns, logger });
  const records = createSendRecordActivities({ prisma, metrics, runs, dedup, logger });

  return {
    ...records,
    ...createPrepareSendActivities({
      recordState: records.recordState,
      ...createScreenActivities({ prisma, whitelist: deps.whitelist, logger }),
      ...createDedupActivities({ prisma, dedup, runs, logger, metrics }),
      ...createRoutingActivities({ prisma, accounts, rules, weights: deps.routeHealth.weights, circuit, cacheMs: settings.accountCacheMs }),
    }),
    ...createFanOutActivities({ prisma, starter: deps.starter, config: deps.config, logger }),
    ...createFallbackActivities({ prisma, starter: deps.starter, config: deps.config, logger, metrics }),
    ...createCampaignActivities({ prisma, starter: deps.starter, defaults: deps.config, logger }),
    ...createVendorSendActivities({ prisma, pool: deps.pool, vendors, batcher, accounts, circuit, health: deps.routeHealth.store, rateLimiter, rateLimitMaxWaitMs: settings.rateLimitMaxWaitMs, runs, logger, metrics }),
    ...createVerifyAttemptActivities({ prisma, vendors, accounts, circuit, runs, logger, metrics }),
    ...createReceiptPollActivities({ prisma, vendors, accounts, health: deps.routeHealth.store, runs, logger, metrics }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

