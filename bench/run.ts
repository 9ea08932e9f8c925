/**
 * `npm run bench` (short, a few minutes on 2 cores) or `npm run bench -- --full`
 * (the sizes of issue #7): Herald's send path against the real Postgres, Redis
 * and a Temporal dev server, each figure printed. Nothing here asserts a time.
 */
import os from 'node:os';
import { printFigures, round } from './figures';
import { measureApiAcceptance } from './scenarios/api-acceptance';
import { measureCeiling } from './scenarios/ceiling';
import { measureEndToEnd } from './scenarios/end-to-end';
import { measureLargeAcceptance, measureLargeMessage } from './scenarios/large-message';
import { measureLongWaits } from './scenarios/long-waits';
import { startBenchStack } from './stack';

const SHORT = {
  acceptance: [
    { receiversPerRequest: 1, requests: 1_000, connections: 16 },
    { receiversPerRequest: 100, requests: 50, connections: 4 },
  ],
  endToEnd: 500,
  ceiling: 500,
  largeMessage: 2_000,
  /** Only the 202 (API on a task queue no worker polls): 10,000 sends to SENT take longer than short mode allows. */
  largeAcceptance: 10_000,
  longWaits: 2_000,
  quietSeconds: 15,
};

const FULL = {
  acceptance: [
    { receiversPerRequest: 1, requests: 10_000, connections: 16 },
    { receiversPerRequest: 100, requests: 500, connections: 4 },
  ],
  endToEnd: 2_000,
  ceiling: 2_000,
  largeMessage: 10_000,
  largeAcceptance: 10_000,
  longWaits: 10_000,
  quietSeconds: 60,
};

const SCENARIOS = ['acceptance', 'end-to-end', 'ceiling', 'large-message', 'long-waits'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** `--only=large-message,ceiling` runs just those scenarios (the ratio needs end-to-end and ceiling both). */
function selectedScenarios(argv: string[]): Set<Scenario> {
  const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (only === undefined) return new Set(SCENARIOS);
  const names = only.split(',');
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return new Set(names as Scenario[]);
}

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const sizes = full ? FULL : SHORT;
  const run = selectedScenarios(process.argv);
  console.log(`Herald benchmarks (${full ? 'full' : 'short'}; ${[...run].join(', ')}) on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const started = Date.now();
  const stack = await startBenchStack();
  // Interrupted: still stop the Temporal server and the child processes.
  const interrupt = (): void => {
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    if (run.has('acceptance')) {
      for (const [title, figures] of await measureApiAcceptance(stack, sizes.acceptance)) printFigures(title, figures);
    }
    if (run.has('large-message')) {
      const accepted = await measureLargeAcceptance(stack, sizes.largeAcceptance);
      printFigures(accepted.title, accepted.figures);
    }

    const needsHerald = run.has('end-to-end') || run.has('large-message') || run.has('long-waits');
    const api = needsHerald ? await stack.startApi() : null;
    const worker = needsHerald ? await stack.startWorker() : null;
    const endToEnd = api && worker && run.has('end-to-end') ? await measureEndToEnd(stack, sizes.endToEnd, [api, worker]) : null;
    if (endToEnd) printFigures(endToEnd.title, endToEnd.figures);

    const ceiling = run.has('ceiling') ? await measureCeiling(stack, sizes.ceiling) : null;
    if (ceiling) printFigures(ceiling.title, ceiling.figures);
    if (endToEnd && ceiling) {
      printFigures('Herald against the ceiling', {
        'Herald sends/s ÷ ceiling workflows/s': round(endToEnd.sendsPerSecond / ceiling.runsPerSecond, 2),
        goal: '≥ 0.5',
        'Herald sends/s ÷ ceiling started like Herald (all in flight)': round(endToEnd.sendsPerSecond / ceiling.allInFlightPerSecond, 2),
      });
    }

    if (api && worker && run.has('large-message')) {
      const large = await measureLargeMessage(stack, sizes.largeMessage, [api, worker]);
      printFigures(large.title, large.figures);
    }

    if (worker && run.has('long-waits')) {
      const waits = await measureLongWaits(stack, sizes.longWaits, worker, sizes.quietSeconds);
      printFigures(waits.title, waits.figures);
    }
  } finally {
    await stack.stop();
  }
  console.log(`\nbenchmarks took ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
