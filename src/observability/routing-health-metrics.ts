import type { PrismaClient } from '../generated/prisma/client';
import { healthAccounts, liveVerdicts } from '../ops/account-health-loader';
import type { RouteWeights } from '../routing/route-weights';
import type { Metrics } from './metrics';

/**
 * Sets the routing health gauges from the live figures, judged as the route
 * planner judges them; called by the API's `/metrics` before it answers, so a
 * scrape always sees now (a disabled or removed account drops out).
 */
export async function publishRoutingHealth(deps: { prisma: PrismaClient; metrics: Metrics; weights: RouteWeights }): Promise<void> {
  const accounts = await healthAccounts(deps.prisma);
  const verdicts = await liveVerdicts(deps.weights, accounts);
  const { accountEffectiveWeight, accountWeightFactor, accountDeliveryRate, accountVendorLatency } = deps.metrics;
  for (const gauge of [accountEffectiveWeight, accountWeightFactor, accountDeliveryRate, accountVendorLatency]) gauge.reset();
  for (const account of accounts) {
    const verdict = verdicts.get(account.id);
    if (!verdict) continue;
    const labels = { account: account.name, channel: account.channel, provider: account.provider };
    accountEffectiveWeight.set(labels, verdict.effectiveWeight);
    accountWeightFactor.set(labels, verdict.factor);
    if (verdict.deliveryRate !== null) accountDeliveryRate.set(labels, verdict.deliveryRate);
    if (verdict.latencyMs !== null) accountVendorLatency.set(labels, verdict.latencyMs / 1000);
  }
}
