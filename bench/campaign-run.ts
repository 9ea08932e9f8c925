/**
 * `npm run bench:campaign` (or `-- --rows 50000`): one campaign run over a
 * large uploaded audience (10,000 rows by default), in pages of 500, 8 pages
 * per execution, on a worker in this process with the real page activity and
 * Postgres but a starter that only counts the sends it is asked to start (the
 * workflow starts are measured by `npm run bench`). Prints the run's time,
 * history events per execution and this process's heap and RSS: what a worker
 * holds while it runs a large campaign. Nothing here asserts a figure.
 */
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createCampaignActivities } from '../src/activities/campaign-run';
import { createLogger } from '../src/logger';
import type { WorkflowStarter } from '../src/sending/workflow-starter';
import { CAMPAIGN_RUN_WORKFLOW } from '../src/shared/campaign-contract';
import { workflowSource } from '../src/worker/workflow-bundle';
import type { campaignRun } from '../src/workflows';
import { printFigures, round } from './figures';
import { startBenchStack } from './stack';

const PAGE_SIZE = 500;
const PAGES_PER_EXECUTION = 8;
/** How often the heap and RSS are sampled while the run goes. */
const SAMPLE_EVERY_MS = 250;
const QUEUE = 'herald-bench-campaign';

/** A full collection before reading the heap, so the figures are live objects, not garbage not yet collected. */
v8.setFlagsFromString('--expose_gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
function heapAfterGc(): NodeJS.MemoryUsage {
  collectGarbage();
  return process.memoryUsage();
}
const mb = (bytes: number): number => round(bytes / 2 ** 20);

function audienceCsv(rows: number): string {
  const lines = ['receiver,name,order'];
  for (let line = 2; line <= rows + 1; line += 1) lines.push(`+86134${String(line).padStart(8, '0')},Name${line},O-${line}`);
  return `${lines.join('\r\n')}\r\n`;
}

async function main(): Promise<void> {
  const rowsArg = process.argv.indexOf('--rows');
  const rows = rowsArg === -1 ? 10_000 : Number(process.argv[rowsArg + 1]);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  console.log(`Campaign run benchmark: ${rows} rows on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const stack = await startBenchStack();
  try {
    const api = await stack.startApi();
    const call = async (path: string, body: string, contentType: string): Promise<{ id: string }> => {
      const answer = await fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${stack.config.SEED_API_KEY}`, 'content-type': contentType }, body });
      if (answer.status !== 201) throw new Error(`POST ${path} answered ${answer.status}: ${(await answer.text()).slice(0, 500)}`);
      return (await answer.json()) as { id: string };
    };
    const audience = await call('/v1/audiences?name=bench-campaign&channel=SMS', audienceCsv(rows), 'text/csv');
    const inAMonth = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    const campaign = await call('/v1/campaigns', JSON.stringify({ name: 'bench', templateCode: 'welcome_sms', audienceId: audience.id, schedule: { at: inAMonth } }), 'application/json');
    await api.stop();

    let started = 0;
    const countingStarter: WorkflowStarter = {
      async start(inputs) {
        started += inputs.length;
        return [];
      },
      async startFanOuts() {
        throw new Error('a campaign page never starts a fan-out');
      },
    };
    const logger = createLogger({ level: 'warn', name: 'bench-campaign', pretty: false });
    const worker = await Worker.create({
      connection: stack.temporal.nativeConnection,
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue: QUEUE,
      ...workflowSource(stack.config.WORKFLOW_BUNDLE_PATH),
      activities: createCampaignActivities({ prisma: stack.prisma, starter: countingStarter, defaults: stack.config, logger }),
    });

    const before = heapAfterGc();
    const peak = { heap: before.heapUsed, rss: before.rss };
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak.heap = Math.max(peak.heap, now.heapUsed);
      peak.rss = Math.max(peak.rss, now.rss);
    }, SAMPLE_EVERY_MS);
    const workflowId = `campaign-${campaign.id}-run-bench`;
    const startedAt = performance.now();
    const { outcome, firstRunId } = await worker.runUntil(async () => {
      const handle = await stack.temporal.client.workflow.start<typeof campaignRun>(CAMPAIGN_RUN_WORKFLOW, {
        taskQueue: QUEUE,
        workflowId,
        args: [{ campaignId: campaign.id, pageSize: PAGE_SIZE, pagesPerExecution: PAGES_PER_EXECUTION }],
      });
      return { outcome: await handle.result(), firstRunId: handle.firstExecutionRunId };
    });
    const seconds = (performance.now() - startedAt) / 1000;
    clearInterval(sampler);
    const after = heapAfterGc();

    const events: number[] = [];
    let runId: string | null | undefined = firstRunId;
    while (runId) {
      const history = await stack.temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
      events.push(history.events?.length ?? 0);
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    printFigures(`Campaign run: ${rows} rows, pages of ${PAGE_SIZE}, ${PAGES_PER_EXECUTION} pages per execution`, {
      outcome: outcome.state,
      'sends asked to start': started,
      'run time (s)': round(seconds),
      'rows/s': Math.round(rows / seconds),
      'history events per execution': events.join(', '),
      'worker heap after GC before / after (MB)': `${mb(before.heapUsed)} / ${mb(after.heapUsed)}`,
      'worker heap peak sampled, garbage included (MB)': mb(peak.heap),
      'worker RSS before / peak / after (MB)': `${mb(before.rss)} / ${mb(peak.rss)} / ${mb(after.rss)}`,
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
