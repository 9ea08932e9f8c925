import { execFileSync } from 'node:child_process';
import { FINAL_STATUSES } from '../../src/shared/states';
import { round, waitUntil, type Figures } from '../figures';
import { sampleProcess, watchPeakMemory } from '../process-stats';
import type { BenchProcess, BenchStack } from '../stack';

/** A receiver per audience row, apart from freshReceivers' (+86138…): no burst cap or dedup between scenarios. */
function audienceCsv(rows: number): string {
  const lines = ['receiver,name,order'];
  for (let line = 1; line <= rows; line += 1) lines.push(`+86135${String(line).padStart(8, '0')},Name${line},O-${line}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** Resident memory of every Postgres process on the machine (shared with other databases: read the growth). */
function postgresRssMb(): number {
  let pids: string[];
  try {
    pids = execFileSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return Number.NaN; // pgrep found none, or is missing
  }
  return pids.reduce((sum, pid) => {
    try {
      return sum + sampleProcess(Number(pid)).rssMb;
    } catch {
      return sum; // ended meanwhile
    }
  }, 0);
}

/**
 * One campaign over an uploaded audience of `rows` receivers, run now through
 * the API, the worker and the sandbox vendor: time to the first send, sends/s,
 * the worker's and Postgres's memory, and whether anything is left stuck.
 * `waitLimitMs` (`--campaign-minutes`): the run is reported as it stands then,
 * its sends not yet final counted as still running, not as stuck.
 */
export async function measureCampaignScale(
  stack: BenchStack, rows: number, herald: { api: BenchProcess; worker: BenchProcess }, waitLimitMs: number | null,
): Promise<{ title: string; figures: Figures; sendsPerSecond: number }> {
  const call = async (path: string, body: string | undefined, contentType: string, expected: number): Promise<{ id: string }> => {
    const answer = await fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${stack.config.SEED_API_KEY}`, 'content-type': contentType }, body });
    if (answer.status !== expected) throw new Error(`POST ${path} answered ${answer.status}: ${(await answer.text()).slice(0, 500)}`);
    return (await answer.json()) as { id: string };
  };
  const audience = await call(`/v1/audiences?name=bench-scale-${rows}&channel=SMS`, audienceCsv(rows), 'text/csv', 201);
  const inAMonth = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
  const campaign = await call('/v1/campaigns', JSON.stringify({ name: `bench-scale-${rows}`, templateCode: 'welcome_sms', audienceId: audience.id, schedule: { at: inAMonth } }), 'application/json', 201);

  const [{ bytes: dbBefore }] = await stack.prisma.$queryRaw<Array<{ bytes: bigint }>>`SELECT pg_database_size(current_database()) AS bytes`;
  const postgresBefore = postgresRssMb();
  const workerBefore = sampleProcess(herald.worker.pid).rssMb;
  const peak = watchPeakMemory({ worker: herald.worker.pid, api: herald.api.pid }, 1_000);
  let postgresPeak = postgresBefore;
  const postgresSampler = setInterval(() => {
    postgresPeak = Math.max(postgresPeak, postgresRssMb());
  }, 5_000);

  const triggered = new Date();
  await call(`/v1/campaigns/${campaign.id}/trigger`, undefined, 'application/json', 202);
  const campaignSends = { createdAt: { gte: triggered }, receiver: { startsWith: '+86135' } };
  try {
    await waitUntil(async () => (await stack.prisma.send.count({ where: { ...campaignSends, sentAt: { not: null } } })) > 0, 600_000, 250);
    const firstSendSeconds = (Date.now() - triggered.getTime()) / 1000;
    const finals = () => stack.prisma.send.count({ where: { ...campaignSends, status: { in: [...FINAL_STATUSES] } } });
    // Bounded: a stuck send is reported below, not waited for forever.
    await waitUntil(async () => (await finals()) >= rows, waitLimitMs ?? 600_000 + rows * 500, 2_000).catch(() => undefined);
    const allSeconds = (Date.now() - triggered.getTime()) / 1000;
    const final = await finals();
    const notFinal = await stack.prisma.send.count({ where: { ...campaignSends, status: { notIn: [...FINAL_STATUSES] } } });
    const outboxWaiting = await stack.prisma.outbox.count({ where: { startedAt: null } });
    const [{ bytes: dbAfter }] = await stack.prisma.$queryRaw<Array<{ bytes: bigint }>>`SELECT pg_database_size(current_database()) AS bytes`;
    const peaks = peak.stop();
    const sendsPerSecond = final / Math.max(0.001, allSeconds - firstSendSeconds);
    const cutOff = waitLimitMs !== null && final < rows;
    const notFinalLabel = cutOff ? `not final when the bench stopped waiting (${waitLimitMs / 60_000} min; still running)` : 'stuck: sends not final at the end';
    return {
      title: `Campaign at scale: ${rows} audience rows, triggered now${cutOff ? `, reported after ${waitLimitMs / 60_000} min` : ''}`,
      sendsPerSecond,
      figures: {
        'time to first send SENT (s)': round(firstSendSeconds, 2),
        'sends final / rows': `${final} / ${rows}`,
        'all final after (s)': round(allSeconds, 1),
        'sends/s (first SENT to last final)': round(sendsPerSecond),
        [notFinalLabel]: notFinal,
        [cutOff ? 'outbox rows not started when the bench stopped waiting' : 'stuck: outbox rows not started at the end']: outboxWaiting,
        'worker RSS before / peak / after (MB)': `${Math.round(workerBefore)} / ${Math.round(peaks.worker)} / ${Math.round(sampleProcess(herald.worker.pid).rssMb)}`,
        'API RSS peak (MB)': Math.round(peaks.api),
        'Postgres RSS, all its processes, before / peak (MB)': `${Math.round(postgresBefore)} / ${Math.round(postgresPeak)}`,
        'bench database size before / after (MB)': `${Math.round(Number(dbBefore) / 2 ** 20)} / ${Math.round(Number(dbAfter) / 2 ** 20)}`,
      },
    };
  } finally {
    clearInterval(postgresSampler);
  }
}
