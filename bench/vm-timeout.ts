/**
 * `npx tsx bench/vm-timeout.ts`: what one call into a `vm` context costs with and without a `timeout`,
 * as the Temporal SDK's workflow thread calls into its context (several calls per workflow activation,
 * each with `isolateExecutionTimeout`, 5 s by default). Node runs every call with a timeout under a
 * watchdog of its own: a thread and an event loop made and joined per call. Prints figures, asserts nothing.
 */
import vm from 'node:vm';

const CALLS = 20_000;

function measure(options: vm.RunningScriptOptions): { wallUs: number; cpuUs: number } {
  const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
  const script = new vm.Script('globalThis.n = (globalThis.n ?? 0) + 1');
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i += 1) script.runInContext(context, options);
  const used = process.cpuUsage(cpu);
  return { wallUs: Number(process.hrtime.bigint() - started) / 1e3 / CALLS, cpuUs: (used.user + used.system) / CALLS };
}

const rows: Array<[string, vm.RunningScriptOptions]> = [
  ['no timeout', {}],
  ['timeout 5000 ms (the SDK default)', { timeout: 5_000 }],
];
// Twice each, alternating: the first pass warms up.
for (const round of [1, 2]) {
  for (const [name, options] of rows) {
    const { wallUs, cpuUs } = measure(options);
    if (round === 2) console.log(`${name.padEnd(36)} ${wallUs.toFixed(1).padStart(7)} µs wall  ${cpuUs.toFixed(1).padStart(7)} µs CPU per call`);
  }
}
