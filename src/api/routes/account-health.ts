import { readCircuits } from '../../activities/circuit-breaker';
import { accountRoutingHealthSchema } from '../admin/answers';
import { deliveryRate, effectiveWeights, hourlySeries, HOUR_MS, NO_SENDS, addCounts } from '../../ops/account-health';
import { healthAccounts, liveVerdicts, loadAccountHealth } from '../../ops/account-health-loader';
import type { WeightVerdict } from '../../routing/route-health';
import { accountHealthAnswerSchema, type AnswerOf } from '../answers';
import { HttpError } from '../http-error';
import { ok, OPS } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { accountHealthQuerySchema, idParamSchema } from '../schemas';

/**
 * `GET /v1/reports/accounts`: each vendor account's circuit, delivery rate,
 * latency and live effective weight, with the delivery rate hour by hour
 * (Postgres) for the chart. `GET /v1/admin/accounts/:id/health`: one
 * account's routing health as the route planner judges it now. Both read the
 * live figures the workers route by (Redis, src/routing/route-weights.ts);
 * reading health is an operator's (ops), changing weights a platform admin's.
 */
export const accountHealthRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/reports/accounts',
    tag: 'ops',
    summary: "Vendor accounts' health: circuit, delivery rate, latency, effective weight, hour by hour",
    description:
      'Every vendor account over the last `hours` (UTC hours, the current one included): its circuit (Redis), the sends its vendor accepted by where they ended and the delivery rate, ' +
      'its vendor calls with their median and 95th-percentile latency, and the weight the route really gives it first now (0 when disabled, weight 0 or its circuit is open) with the reason: ' +
      'the live routing health figures (`live`) and how far the delivery-rate rules moved it.',
    access: OPS,
    query: accountHealthQuerySchema,
    answers: ok('each account, with its delivery rate per hour', accountHealthAnswerSchema),
    handler: async ({ deps, res, query: { hours } }) => {
      const to = new Date();
      const from = new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS);
      const records = await loadAccountHealth(deps.prisma, deps.redis, deps.routeHealth.weights, { from, to });
      const weights = effectiveWeights(records.accounts, records.circuits, records.verdicts);
      const windowSeconds = deps.routeHealth.rules.windowMs / 1000;
      res.json({
        from,
        to,
        hours,
        circuitsReadable: records.circuits !== null,
        accounts: records.accounts.map((account) => {
          const series = hourlySeries(from, to, records.sendsByHour.get(account.id) ?? new Map());
          const sends = series.reduce(addCounts, NO_SENDS);
          const circuit = records.circuits?.get(account.id) ?? null;
          const weight = weights.get(account.id);
          const verdict = records.verdicts.get(account.id);
          return {
            ...account,
            circuit: circuit && { state: circuit.open ? 'OPEN' : 'CLOSED', openForMs: circuit.openForMs, recentFailures: circuit.recentFailures },
            effectiveWeight: weight?.effectiveWeight ?? 0,
            firstChoiceShare: weight?.firstChoiceShare ?? 0,
            weightReason: weight?.reason ?? '',
            live: verdict ? liveFigures(verdict, windowSeconds) : null,
            attempts: records.attempts.get(account.id) ?? { total: 0, accepted: 0, failed: 0, p50Ms: null, p95Ms: null },
            sends: { ...sends, deliveryRate: deliveryRate(sends) },
            hourly: series.map((hour) => ({ ...hour, deliveryRate: deliveryRate(hour) })),
          };
        }),
      } satisfies AnswerOf<typeof accountHealthAnswerSchema>);
    },
  }),

  route({
    method: 'get',
    path: '/v1/admin/accounts/:id/health',
    tag: 'admin: accounts',
    summary: "One account's routing health: its delivery rate and latency now, its effective weight and why",
    description:
      'Judged as the route planner judges it (docs/routing.md): the receipts and vendor calls of the last ROUTE_HEALTH_WINDOW_SECONDS against the other enabled accounts of its channel. ' +
      'An operator reads it (`ops`); pinning a weight is a change of the account (`PATCH /v1/admin/accounts/:id` with `pinnedWeight`, `platform`).',
    access: OPS,
    params: idParamSchema,
    answers: ok("the account's routing health", accountRoutingHealthSchema),
    errors: { 404: 'ACCOUNT_NOT_FOUND: no such account' },
    handler: async ({ deps, res, params }) => {
      const accounts = await healthAccounts(deps.prisma);
      const account = accounts.find((candidate) => candidate.id === params.id);
      if (!account) throw new HttpError(404, 'ACCOUNT_NOT_FOUND', `no account ${params.id}`);
      const channel = accounts.filter((candidate) => candidate.channel === account.channel && (candidate.enabled || candidate.id === account.id));
      const [verdicts, circuits] = await Promise.all([
        liveVerdicts(deps.routeHealth.weights, channel.map((candidate) => ({ ...candidate, enabled: true }))),
        readCircuits(deps.redis, [account.id]),
      ]);
      const verdict = verdicts.get(account.id);
      if (!verdict) throw new HttpError(404, 'ACCOUNT_NOT_FOUND', `no account ${params.id}`);
      const { rules } = deps.routeHealth;
      const circuit = circuits?.get(account.id);
      res.json({
        ...account,
        effectiveWeight: account.enabled ? verdict.effectiveWeight : 0,
        factor: verdict.factor,
        state: verdict.state,
        since: verdict.since === null ? null : new Date(verdict.since),
        reason: account.enabled ? verdict.reason : `disabled: never chosen (enabled, ${verdict.reason})`,
        circuit: circuit ? (circuit.open ? 'OPEN' : 'CLOSED') : null,
        window: { seconds: rules.windowMs / 1000, receipts: verdict.receipts, deliveryRate: verdict.deliveryRate, calls: verdict.calls, latencyMs: verdict.latencyMs },
        peers: channel.filter((peer) => peer.id !== account.id && peer.enabled).map((peer) => {
          const judged = verdicts.get(peer.id);
          return {
            id: peer.id, name: peer.name, effectiveWeight: judged?.effectiveWeight ?? peer.weight, state: judged?.state ?? 'NORMAL',
            deliveryRate: judged?.deliveryRate ?? null, receipts: judged?.receipts ?? 0, latencyMs: judged?.latencyMs ?? null,
          };
        }),
        rules: { minReceipts: rules.minReceipts, floor: rules.floor, degradeGap: rules.degradeGap, recoverGap: rules.recoverGap, slowFactor: rules.slowFactor },
      } satisfies AnswerOf<typeof accountRoutingHealthSchema>);
    },
  }),
];

function liveFigures(verdict: WeightVerdict, windowSeconds: number) {
  return {
    state: verdict.state,
    since: verdict.since === null ? null : new Date(verdict.since),
    factor: verdict.factor,
    pinned: verdict.pinned,
    windowSeconds,
    receipts: verdict.receipts,
    deliveryRate: verdict.deliveryRate,
    calls: verdict.calls,
    latencyMs: verdict.latencyMs,
  };
}
