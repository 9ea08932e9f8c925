import type { Redis } from 'ioredis';
import { readCircuits, type CircuitState } from '../activities/circuit-breaker';
import type { PrismaClient } from '../generated/prisma/client';
import type { WeightVerdict } from '../routing/route-health';
import type { RouteWeights } from '../routing/route-weights';
import { addCounts, NO_SENDS, type AttemptStats, type HealthAccount, type SendCounts } from './account-health';

export interface HealthWindow {
  /** The start of the first hour. */
  from: Date;
  to: Date;
}

export interface AccountHealthRecords {
  accounts: HealthAccount[];
  /** null when Redis cannot be read */
  circuits: Map<string, CircuitState> | null;
  /** The live effective weights (Redis figures, src/routing/route-health.ts) of the enabled accounts. */
  verdicts: Map<string, WeightVerdict>;
  /** account id → hour start (ms) → counts */
  sendsByHour: Map<string, Map<number, SendCounts>>;
  attempts: Map<string, AttemptStats>;
}

interface SendRow {
  account_id: string;
  hour: Date;
  status: string;
  sends: number;
}

interface AttemptRow {
  account_id: string;
  total: number;
  accepted: number;
  p50: number | null;
  p95: number | null;
}

/**
 * The live verdict of every enabled account, each judged against the other
 * enabled accounts of its channel exactly as the route planner judges them.
 */
export async function liveVerdicts(weights: RouteWeights, accounts: readonly HealthAccount[]): Promise<Map<string, WeightVerdict>> {
  const verdicts = new Map<string, WeightVerdict>();
  for (const channel of new Set(accounts.map((account) => account.channel))) {
    const group = accounts.filter((account) => account.channel === channel && account.enabled);
    for (const [id, verdict] of await weights.weigh(group)) verdicts.set(id, verdict);
  }
  return verdicts;
}

/** The accounts as the health report and the routing metrics read them. */
export function healthAccounts(prisma: PrismaClient): Promise<HealthAccount[]> {
  return prisma.account.findMany({
    select: { id: true, name: true, channel: true, provider: true, enabled: true, weight: true, pinnedWeight: true, priority: true },
    orderBy: [{ channel: 'asc' }, { priority: 'asc' }, { name: 'asc' }],
  });
}

/**
 * What the account health report reads: the accounts, their circuits and live effective weights (Redis),
 * the sends each vendor accepted per hour of the window by where they ended
 * (`send.sent_at`, indexed), and each account's vendor calls with their latency
 * (`send_attempt.started_at`, indexed). Hours are UTC hours.
 */
export async function loadAccountHealth(prisma: PrismaClient, redis: Redis, weights: RouteWeights, window: HealthWindow): Promise<AccountHealthRecords> {
  const accounts = await healthAccounts(prisma);
  const [circuits, verdicts, sendRows, attemptRows] = await Promise.all([
    readCircuits(redis, accounts.map((account) => account.id)),
    liveVerdicts(weights, accounts),
    prisma.$queryRaw<SendRow[]>`
      SELECT account_id::text AS account_id, date_trunc('hour', sent_at, 'UTC') AS hour, status, count(*)::int AS sends
      FROM send
      WHERE sent_at >= ${window.from} AND sent_at < ${window.to} AND account_id IS NOT NULL
      GROUP BY 1, 2, 3`,
    prisma.$queryRaw<AttemptRow[]>`
      SELECT account_id::text AS account_id, count(*)::int AS total,
             count(*) FILTER (WHERE outcome = 'ACCEPTED')::int AS accepted,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
      FROM send_attempt
      WHERE started_at >= ${window.from} AND started_at < ${window.to}
      GROUP BY 1`,
  ]);

  const sendsByHour = new Map<string, Map<number, SendCounts>>();
  for (const row of sendRows) {
    const hours = sendsByHour.get(row.account_id) ?? new Map<number, SendCounts>();
    sendsByHour.set(row.account_id, hours);
    const at = row.hour.getTime();
    hours.set(at, addCounts(hours.get(at) ?? NO_SENDS, countsOf(row.status, row.sends)));
  }
  const attempts = new Map(
    attemptRows.map((row) => [
      row.account_id,
      { total: row.total, accepted: row.accepted, failed: row.total - row.accepted, p50Ms: roundedMs(row.p50), p95Ms: roundedMs(row.p95) },
    ]),
  );
  return { accounts, circuits, verdicts, sendsByHour, attempts };
}

/** A send the vendor accepted counts as sent, and by its state now: delivered, undelivered, expired, or still awaiting its receipt. */
function countsOf(status: string, sends: number): SendCounts {
  return {
    sent: sends,
    delivered: status === 'DELIVERED' ? sends : 0,
    undelivered: status === 'UNDELIVERED' ? sends : 0,
    expired: status === 'EXPIRED' ? sends : 0,
    awaiting: status === 'SENT' ? sends : 0,
  };
}

function roundedMs(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
