import { watchPeakMemory } from '../process-stats';
import { round, waitUntil, type Figures } from '../figures';
import { freshReceivers } from '../receivers';
import type { BenchProcess, BenchStack } from '../stack';
import { countSends } from './end-to-end';
import { postMessage } from './requests';

/** A task queue no worker polls: the 202 is measured without sends competing for the CPU. */
const UNPOLLED_QUEUE = 'herald-bench-large-unpolled';

/**
 * One request for many receivers against an API whose workflows go to a task
 * queue no worker polls: the time to the 202 and the API's peak memory only.
 */
export async function measureLargeAcceptance(stack: BenchStack, receivers: number): Promise<{ title: string; figures: Figures }> {
  const api = await stack.startApi(UNPOLLED_QUEUE);
  try {
    // A running API is warm (JIT, libphonenumber metadata, the Prisma client): one small request first.
    await postMessage(stack.apiUrl, stack.config, freshReceivers(10));
    const peak = watchPeakMemory({ api: api.pid });
    // A refused request is a figure too (before fan-out, 10,000 receivers ran into the 5 s transaction timeout: 500).
    const answer = await postMessage(stack.apiUrl, stack.config, freshReceivers(receivers));
    // Let the API finish what it does after the answer before reading its peak.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const peaks = peak.stop();
    return {
      title: `Large message, acceptance only: one request for ${receivers} receivers`,
      figures: { 'answer status': answer.status, 'time to answer (ms)': Math.round(answer.ms), 'peak RSS api (MB)': Math.round(peaks.api) },
    };
  } finally {
    await api.stop();
  }
}

/** One request for many receivers: time to the 202, time until every send is SENT, and peak memory. */
export async function measureLargeMessage(stack: BenchStack, receivers: number, processes: BenchProcess[]): Promise<{ title: string; figures: Figures }> {
  const since = new Date(Date.now() - 1000);
  const peak = watchPeakMemory(Object.fromEntries(processes.map((p) => [p.name, p.pid])));
  const started = Date.now();
  const answer = await postMessage(stack.apiUrl, stack.config, freshReceivers(receivers));
  if (answer.status !== 202) throw new Error(`POST /v1/messages answered ${answer.status}`);
  await waitUntil(async () => (await countSends(stack, since, true)) >= receivers, 60_000 + receivers * 200, 500);
  const allSentSeconds = (Date.now() - started) / 1000;
  const peaks = peak.stop();
  return {
    title: `Large message: one request for ${receivers} receivers`,
    figures: {
      'time to 202 (ms)': Math.round(answer.ms),
      'all SENT after (s)': round(allSentSeconds, 2),
      'sends/s (to SENT)': round(receivers / allSentSeconds),
      ...Object.fromEntries(Object.entries(peaks).map(([name, mb]) => [`peak RSS ${name} (MB)`, Math.round(mb)])),
    },
  };
}
