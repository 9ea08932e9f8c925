/**
 * `npm run bench` (short, a few minutes on 2 cores) or `npm run bench -- --full`
 * (the sizes of issue #7): Herald's send path against the real Postgres, Redis
 * and a Temporal dev server, each figure printed. Nothing here asserts a time.
 */
import os from 'node:os';
import { printFigures, round, type Figures } from './figures';
import { measureApiAcceptance, type RelayPlacement } from './scenarios/api-acceptance';
import { measureCampaignScale } from './scenarios/campaign-scale';
import { measureRawEndpoint, measureRawStarts } from './scenarios/anchors';
import { measureCeiling } from './scenarios/ceiling';
import { measureEndToEnd } from './scenarios/end-to-end';
import { measureLargeAcceptance, measureLargeMessage } from './scenarios/large-message';
import { measureLongWaits } from './scenarios/long-waits';
import { sampleProcess } from './process-stats';
import { startBenchStack } from './stack';
import { createSummary, loadAverage } from './summary';

const SHORT = {
  acceptance: [
    // 3,000: long enough (10 s or more here) that a second more or less of the run moves the rate little.
    { receiversPerRequest: 1, requests: 3_000, connections: 16 },
    { receiversPerRequest: 100, requests: 20, connections: 4 },
  ],
  rawStarts: 1_000,
  endToEnd: 500,
  ceiling: 500,
  largeMessage: 1_000,
  /** Only the 202 (API on a task queue no worker polls): 10,000 sends to SENT take longer than short mode allows. */
  largeAcceptance: 10_000,
  longWaits: 2_000,
  /** Readings of the worker after this many seconds of the long waits. */
  longWaitReadings: [15, 60],
  /** `--only=campaign-scale` in short mode: a small campaign, to see the scenario work. */
  campaignRows: 2_000,
};

const FULL = {
  acceptance: [
    { receiversPerRequest: 1, requests: 10_000, connections: 16 },
    { receiversPerRequest: 100, requests: 500, connections: 4 },
  ],
  rawStarts: 10_000,
  endToEnd: 2_000,
  ceiling: 2_000,
  largeMessage: 10_000,
  largeAcceptance: 10_000,
  longWaits: 10_000,
  longWaitReadings: [15, 60, 120, 300],
  campaignRows: 100_000,
};

/** Anchor (b) keeps as many starts in flight as Herald's starter. */
const START_CONCURRENCY = 32;

const SCENARIOS = ['acceptance', 'end-to-end', 'ceiling', 'large-message', 'long-waits', 'campaign-scale'] as const;
/** Run unless named in --only: in short mode the campaign at scale is left out (100,000 sends take hours here). */
const FULL_ONLY: readonly Scenario[] = ['campaign-scale'];
type Scenario = (typeof SCENARIOS)[number];

/**
 * `--<name>=N`, a positive whole number, or `fallback`: `--long-waits=10000` (that many deferred sends in
 * the long-waits scenario, whatever the mode), `--campaign-minutes=25` (how long the campaign at scale is
 * waited for; it is reported as it stands then).
 */
function wholeNumberOption(argv: string[], name: string, fallback: number | null): number | null {
  const given = argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} wants a positive whole number, not ${given}`);
  return value;
}

/** `--only=large-message,ceiling` runs just those scenarios (the ratio needs end-to-end and ceiling both). */
function selectedScenarios(argv: string[], full: boolean): Set<Scenario> {
  const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (only === undefined) return new Set(SCENARIOS.filter((name) => full || !FULL_ONLY.includes(name)));
  const names = only.split(',');
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return new Set(names as Scenario[]);
}

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const sizes = full ? FULL : SHORT;
  const run = selectedScenarios(process.argv, full);
  console.log(`Herald benchmarks (${full ? 'full' : 'short'}; ${[...run].join(', ')}) on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const started = Date.now();
  // The campaign at scale holds too many histories for the dev server's in-memory store.
  const stack = await startBenchStack({ temporalOnDisk: run.has('campaign-scale') });
  // Interrupted: still stop the Temporal server and the child processes.
  const interrupt = (): void => {
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const summary = createSummary();
  const section = (title: string, figures: Figures): void => printFigures(title, { ...figures, 'load average 1 / 5 / 15 min': loadAverage() });
  try {
    if (run.has('acceptance')) {
      const single = sizes.acceptance[0];
      const raw = await measureRawEndpoint(stack, single);
      section(`Anchor (a): raw Express + pg endpoint, the same three inserts in one transaction, ${single.connections} connections`, raw.figures);
      const rawStarts = await measureRawStarts(stack, sizes.rawStarts, START_CONCURRENCY);
      section('Anchor (b): raw workflow starts of a trivial workflow to an unpolled task queue', rawStarts.figures);
      const placements: RelayPlacement[] = ['in the API', 'apart'];
      for (const placement of placements) {
        for (const accepted of await measureApiAcceptance(stack, sizes.acceptance, placement)) {
          const { size } = accepted;
          const perRequest = `${size.receiversPerRequest} receiver(s) per request`;
          const where = `relay ${placement}`;
          section(`API acceptance, ${perRequest}, ${where}`, {
            ...accepted.figures,
            'requests/s ÷ anchor (a) requests/s': round(accepted.requestsPerSecond / raw.requestsPerSecond, 2),
            'receivers/s ÷ anchor (a) requests/s': round((accepted.requestsPerSecond * size.receiversPerRequest) / raw.requestsPerSecond, 2),
            'workflow starts/s ÷ anchor (b) starts/s': round(accepted.drainStartsPerSecond / rawStarts.startsPerSecond, 2),
          });
          const rawAnchor = { name: '(a) raw endpoint', value: raw.requestsPerSecond };
          if (size.receiversPerRequest === 1) {
            summary.compare(`acceptance, 1 receiver, ${size.connections} connections, ${where} (req/s)`, accepted.requestsPerSecond, 'req/s', rawAnchor, '≥ 0.5');
            summary.compare(`acceptance p99, 1 receiver, ${where} (ms; ratio = anchor ÷ Herald)`, accepted.p99Ms, 'ms', { name: '(a) raw endpoint', value: raw.p99Ms }, 'p99 < 100 ms', true);
            summary.compare(`API CPU per request while answering, 1 receiver, ${where} (ms; ratio = anchor ÷ Herald)`, accepted.cpuMsPerRequest.answering, 'ms', { name: '(a) raw endpoint', value: raw.cpuMsPerRequest }, '–', true);
          } else {
            summary.compare(`acceptance, ${size.receiversPerRequest} receivers/request, ${where} (receivers/s)`, accepted.requestsPerSecond * size.receiversPerRequest, '/s', rawAnchor, '–');
          }
          summary.compare(`workflow starts draining behind acceptance (${perRequest}, ${where})`, accepted.drainStartsPerSecond, 'starts/s', { name: '(b) raw starts', value: rawStarts.startsPerSecond }, '≥ 0.8');
        }
      }
    }
    if (run.has('large-message')) {
      const accepted = await measureLargeAcceptance(stack, sizes.largeAcceptance);
      section(accepted.title, accepted.figures);
    }

    const needsHerald = run.has('end-to-end') || run.has('large-message') || run.has('long-waits') || run.has('campaign-scale');
    const api = needsHerald ? await stack.startApi() : null;
    const worker = needsHerald ? await stack.startWorker() : null;
    if (worker) {
      // A fresh worker, connected and polling, nothing run yet.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const idleRssMb = sampleProcess(worker.pid).rssMb;
      section('Worker at rest after start', { 'worker RSS idle (MB)': Math.round(idleRssMb), WORKER_MAX_CACHED_WORKFLOWS: stack.config.WORKER_MAX_CACHED_WORKFLOWS });
      summary.compare('worker RSS idle, fresh worker', idleRssMb, 'MB', null, '≤ 300 MB');
    }
    const endToEnd = api && worker && run.has('end-to-end') ? await measureEndToEnd(stack, sizes.endToEnd, [api, worker]) : null;
    if (endToEnd) section(endToEnd.title, endToEnd.figures);

    const ceiling = run.has('ceiling') ? await measureCeiling(stack, sizes.ceiling) : null;
    if (ceiling) section(ceiling.title, ceiling.figures);
    if (endToEnd && ceiling) {
      section('Herald against anchor (c), the one-activity ceiling', {
        'Herald sends/s ÷ ceiling workflows/s (32 in flight)': round(endToEnd.sendsPerSecond / ceiling.runsPerSecond, 2),
        'Herald sends/s ÷ ceiling started like Herald (all in flight)': round(endToEnd.sendsPerSecond / ceiling.allInFlightPerSecond, 2),
        'history events per send ÷ per ceiling run': round(endToEnd.eventsPerSend / ceiling.eventsPerRun, 2),
        goal: '≥ 0.8',
      });
      summary.compare('end to end, sends/s to final', endToEnd.sendsPerSecond, '/s', { name: '(c) ceiling, 32 in flight', value: ceiling.runsPerSecond }, '≥ 0.8');
      summary.compare('end to end, sends/s to final', endToEnd.sendsPerSecond, '/s', { name: '(c) ceiling, all in flight', value: ceiling.allInFlightPerSecond }, '≥ 0.8');
      summary.compare('history events per delivered send (ratio = ceiling ÷ Herald)', endToEnd.eventsPerSend, '', { name: '(c) ceiling run', value: ceiling.eventsPerRun }, '≤ 12 events', true);
    }
    if (endToEnd) {
      const ceilingCpu = ceiling ? { name: '(c) ceiling run, all in flight', value: ceiling.cpuMsPerRun } : null;
      summary.compare('CPU per send, whole machine (ratio = ceiling ÷ Herald)', endToEnd.cpuMsPerSend, 'ms', ceilingCpu, 'half of 190 ms', true);
      summary.compare('Temporal actions per send (cost figure)', endToEnd.actionsPerSend, '', null, '–');
    }

    if (api && worker && run.has('large-message')) {
      const large = await measureLargeMessage(stack, sizes.largeMessage, [api, worker]);
      section(large.title, large.figures);
    }

    if (api && worker && run.has('campaign-scale')) {
      const waitMinutes = wholeNumberOption(process.argv, 'campaign-minutes', null);
      const scale = await measureCampaignScale(stack, sizes.campaignRows, { api, worker }, waitMinutes === null ? null : waitMinutes * 60_000);
      section(scale.title, scale.figures);
      summary.compare(`campaign of ${sizes.campaignRows} rows, sends/s`, scale.sendsPerSecond, '/s', null, 'nothing stuck');
    }

    if (worker && run.has('long-waits')) {
      const sends = wholeNumberOption(process.argv, 'long-waits', sizes.longWaits) ?? sizes.longWaits;
      const waits = await measureLongWaits(stack, sends, worker, sizes.longWaitReadings);
      section(waits.title, waits.figures);
      summary.compare('worker RSS before the long waits (after the scenarios above)', waits.idleRssMb, 'MB', null, '–');
      summary.compare(`worker RSS added by ${sends} deferred sends, ${sizes.longWaitReadings.at(-1)} s after`, waits.addedRssMb, 'MB', null, '≤ 100 MB for 10,000');
    }
    summary.print();
  } finally {
    await stack.stop();
  }
  console.log(`\nbenchmarks took ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
