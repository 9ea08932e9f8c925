import { Router } from 'express';
import { deliveryRate, effectiveWeights, hourlySeries, HOUR_MS, NO_SENDS, addCounts } from '../../ops/account-health';
import { loadAccountHealth } from '../../ops/account-health-loader';
import { accountHealthAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';
import { accountHealthQuerySchema } from '../schemas';
import { requireScope } from '../scopes';
import { parseOr400 } from '../validate';

/**
 * `GET /v1/reports/accounts`: each vendor account's circuit, delivery rate,
 * latency and effective weight, with the delivery rate hour by hour. Computed
 * from Postgres and the circuit keys in Redis; one route, so a later source
 * (health kept in Redis by the workers) replaces the loader, not the callers.
 */
export function accountHealthRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/reports/accounts', requireScope('ops'), async (req, res) => {
    const { hours } = parseOr400(accountHealthQuerySchema, req.query, 'query');
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
  });

  return router;
}
