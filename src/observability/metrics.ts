import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Herald's Prometheus series. One registry per process (API or worker). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'herald_process_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: 'herald_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'method', 'status'], registers }),
    httpDuration: new Histogram({ name: 'herald_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route', 'method'], registers }),
    sendsAccepted: new Counter({ name: 'herald_sends_accepted_total', help: 'Sends accepted by the API', labelNames: ['channel'], registers }),
    sendsFinal: new Counter({ name: 'herald_sends_final_total', help: 'Sends that reached a final state', labelNames: ['channel', 'vendor', 'status', 'reason'], registers }),
    vendorCallDuration: new Histogram({ name: 'herald_vendor_call_duration_seconds', help: 'Vendor call latency', labelNames: ['provider', 'account', 'outcome'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    vendorFailovers: new Counter({ name: 'herald_vendor_failovers_total', help: 'Sends moved to another account after failures on one', labelNames: ['from_provider', 'to_provider'], registers }),
    fallbacksStarted: new Counter({ name: 'herald_fallbacks_started_total', help: 'Fallback sends started on another channel, by what started them (the first send UNDELIVERED, FAILED, EXPIRED, or NOT_DELIVERED_IN_TIME)', labelNames: ['from_channel', 'to_channel', 'trigger'], registers }),
    sendReroutes: new Counter({ name: 'herald_send_reroutes_total', help: 'Sends sent again through another account after a failed receipt another vendor may fix (ROUTE_FAILED)', labelNames: ['from_provider', 'to_provider'], registers }),
    dedupOutcomes: new Counter({ name: 'herald_dedup_outcomes_total', help: 'Dedup verdicts (PASS, FILTERED, SKIPPED)', labelNames: ['outcome'], registers }),
    shieldOutcomes: new Counter({ name: 'herald_shield_outcomes_total', help: 'Night shield decisions', labelNames: ['action'], registers }),
    receipts: new Counter({ name: 'herald_receipts_total', help: 'Receipts stored', labelNames: ['provider', 'status', 'reason'], registers }),
    outboxBacklog: new Gauge({ name: 'herald_outbox_backlog', help: 'Outbox rows whose workflow is not started yet: accepted sends, and large messages whose fan-out is not started', registers }),
    callerRateLimited: new Counter({ name: 'herald_caller_rate_limited_total', help: 'API requests refused with 429 by the per-API-key rate limit', registers }),
    receiversCapped: new Counter({ name: 'herald_receivers_capped_total', help: 'Receivers refused by the anti-bombing burst cap (sends to one receiver across all callers)', labelNames: ['channel'], registers }),
    accountEffectiveWeight: new Gauge({ name: 'herald_account_effective_weight', help: 'Routing weight of an enabled account now: configured × the delivery-rate factor, or pinned (the API judges it at each scrape)', labelNames: ['account', 'channel', 'provider'], registers }),
    accountWeightFactor: new Gauge({ name: 'herald_account_weight_factor', help: 'Share of its configured weight the delivery-rate rules give an enabled account (1: full; below 1: moved away)', labelNames: ['account', 'channel', 'provider'], registers }),
    accountDeliveryRate: new Gauge({ name: 'herald_account_delivery_rate', help: 'Delivered among the receipts of the routing health window (absent without receipts)', labelNames: ['account', 'channel', 'provider'], registers }),
    accountVendorLatency: new Gauge({ name: 'herald_account_vendor_latency_seconds', help: 'Mean vendor call duration over the routing health window (absent without calls)', labelNames: ['account', 'channel', 'provider'], registers }),
    rateLimitWaits: new Counter({ name: 'herald_rate_limit_waits_total', help: 'Sends held back by an account rate limit', labelNames: ['account'], registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Counts stored receipts by provider, status and reason, wherever they came from (push, poll, the send answer). */
export function countReceipts(metrics: Metrics, provider: string, receipts: ReadonlyArray<{ status: string; reason: string | null }>): void {
  for (const receipt of receipts) metrics.receipts.inc({ provider, status: receipt.status, reason: receipt.reason ?? 'none' });
}
