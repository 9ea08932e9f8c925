import { Router } from 'express';
import { withDeadline } from '../../shared/with-deadline';
import { healthAnswerSchema, readinessAnswerSchema, type AnswerOf } from '../answers';
import type { ApiDeps } from '../deps';

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
 * reported as degraded (sends wait in the outbox, dedup fails open).
 */
export function healthRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' } satisfies AnswerOf<typeof healthAnswerSchema>);
  });

  router.get('/readyz', async (_req, res) => {
    const [postgres, redis, temporal] = await Promise.all([
      check(() => deps.prisma.$queryRaw`SELECT 1`),
      check(() => deps.redis.ping()),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const status = !postgres.ok ? 'unavailable' : redis.ok && temporal.ok ? 'ready' : 'degraded';
    res.status(postgres.ok ? 200 : 503).json({ status, checks: { postgres, redis, temporal } } satisfies AnswerOf<typeof readinessAnswerSchema>);
  });

  return router;
}
