import { publishRoutingHealth } from '../../observability/routing-health-metrics';
import { withDeadline } from '../../shared/with-deadline';
import { healthAnswerSchema, readinessAnswerSchema, type AnswerOf } from '../answers';
import { PUBLIC, ok } from '../openapi/access';
import { route, type ApiRoute } from '../route';

const CHECK_TIMEOUT_MS = 2_000;

type CheckResult = { ok: true } | { ok: false; error: string };

async function check(probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withDeadline(probe(), CHECK_TIMEOUT_MS);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `/healthz`: the process is up. `/readyz`: Postgres is required to accept
 * anything (503 without it); Redis or Temporal down leaves the API accepting,
 * reported as degraded (sends wait in the outbox, dedup fails open). `/metrics`: Prometheus.
 */
export const healthRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/healthz',
    tag: 'health',
    summary: 'The process is up',
    access: PUBLIC,
    answers: ok('always, while the process runs', healthAnswerSchema),
    handler: ({ res }) => {
      res.json({ status: 'ok' } satisfies AnswerOf<typeof healthAnswerSchema>);
    },
  }),
  route({
    method: 'get',
    path: '/readyz',
    tag: 'health',
    summary: 'Postgres, Redis and Temporal reachable',
    description: 'Postgres is required to accept anything; Redis or Temporal down leaves the API accepting (sends wait in the outbox), reported as `degraded`.',
    access: PUBLIC,
    answers: {
      200: { description: 'ready or degraded', schema: readinessAnswerSchema },
      503: { description: 'unavailable: Postgres cannot be reached', schema: readinessAnswerSchema },
    },
    handler: async ({ deps, res }) => {
      const [postgres, redis, temporal] = await Promise.all([
        check(() => deps.prisma.$queryRaw`SELECT 1`),
        check(() => deps.redis.ping()),
        check(() => deps.temporal.workflowService.getSystemInfo({})),
      ]);
      const status = !postgres.ok ? 'unavailable' : redis.ok && temporal.ok ? 'ready' : 'degraded';
      res.status(postgres.ok ? 200 : 503).json({ status, checks: { postgres, redis, temporal } } satisfies AnswerOf<typeof readinessAnswerSchema>);
    },
  }),
  route({
    method: 'get',
    path: '/metrics',
    tag: 'health',
    summary: 'Prometheus metrics',
    description: "The API's own series, and every enabled account's routing health judged now (`herald_account_effective_weight`, `…_weight_factor`, `…_delivery_rate`, `…_vendor_latency_seconds`).",
    access: PUBLIC,
    answers: { 200: { description: 'Prometheus text exposition format', mediaType: 'text/plain' } },
    handler: async ({ deps, res }) => {
      // Metrics are answered even when the routing health cannot be read (Postgres down): its gauges are then left out.
      await publishRoutingHealth({ prisma: deps.prisma, metrics: deps.metrics, weights: deps.routeHealth.weights }).catch((error: unknown) => {
        deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'routing health metrics not published');
      });
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  }),
];
