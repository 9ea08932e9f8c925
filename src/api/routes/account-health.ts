import { deliveryRate, effectiveWeights, hourlySeries, HOUR_MS, NO_SENDS, addCounts } from '../../ops/account-health';
import { loadAccountHealth } from '../../ops/account-health-loader';
import { accountHealthAnswerSchema, type AnswerOf } from '../answers';
import { ok, OPS } from '../openapi/access';
import { route, type ApiRoute } from '../route';
import { accountHealthQuerySchema } from '../schemas';

/**
 * `GET /v1/reports/accounts`: each vendor account's circuit, delivery rate,
 * latency and effective weight, with the delivery rate hour by hour. Computed
 * from Postgres and the circuit keys in Redis; one route, so a later source
 * (health kept in Redis by the workers) replaces the loader, not the callers.
 */
export const accountHealthRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/v1/reports/accounts',
    tag: 'ops',
    summary: "Vendor accounts' health: circuit, delivery rate, latency, effective weight, hour by hour",
    description:
      'Every vendor account over the last `hours` (UTC hours, the current one included): its circuit (Redis), the sends its vendor accepted by where they ended and the delivery rate, ' +
      'its vendor calls with their median and 95th-percentile latency, and the weight the route really gives it first (0 when disabled, weight 0 or its circuit is open) with the reason.',
    access: OPS,
    query: accountHealthQuerySchema,
    answers: ok('each account, with its delivery rate per hour', accountHealthAnswerSchema),
    handler: async ({ deps, res, query: { hours } }) => {
      const to = new Date();
      const from = new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS);
      const records = await loadAccountHealth(deps.prisma, deps.redis, { from, to });
      const weights = effectiveWeights(records.accounts, records.circuits);
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
          return {
            ...account,
            circuit: circuit && { state: circuit.open ? 'OPEN' : 'CLOSED', openForMs: circuit.openForMs, recentFailures: circuit.recentFailures },
            effectiveWeight: weight?.effectiveWeight ?? 0,
            firstChoiceShare: weight?.firstChoiceShare ?? 0,
            weightReason: weight?.reason ?? '',
            attempts: records.attempts.get(account.id) ?? { total: 0, accepted: 0, failed: 0, p50Ms: null, p95Ms: null },
            sends: { ...sends, deliveryRate: deliveryRate(sends) },
            hourly: series.map((hour) => ({ ...hour, deliveryRate: deliveryRate(hour) })),
          };
        }),
      } satisfies AnswerOf<typeof accountHealthAnswerSchema>);
    },
  }),
];
