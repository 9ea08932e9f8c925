import { readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every common build). */
const CLOCK_TICKS = 100;

export interface ProcessSample {
  rssMb: number;
  cpuSeconds: number;
}

export interface MemorySample {
  rssMb: number;
  /** Resident anonymous memory: the V8 heaps of every thread, malloc (Node's and the Rust core's), stacks. */
  anonMb: number;
  /** Resident file-backed memory: the node binary, the Rust core's shared library, other mapped files. */
  fileMb: number;
  threads: number;
}

/** A process's resident memory split as /proc/<pid>/status splits it, and its thread count. */
export function sampleMemory(pid: number): MemorySample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: field('VmRSS') / 1024, anonMb: field('RssAnon') / 1024, fileMb: field('RssFile') / 1024, threads: field('Threads') };
}

/** Resident memory and CPU time used so far by one process, read from /proc. */
export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  // Fields after the command name (which may hold spaces) start at "state"; utime and stime are the 12th and 13th of them.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / CLOCK_TICKS };
}

/** Samples processes every `everyMs` until stopped; keeps the peak resident memory of each. */
export function watchPeakMemory(pids: Record<string, number>, everyMs = 250) {
  const peak: Record<string, number> = Object.fromEntries(Object.keys(pids).map((name) => [name, 0]));
  const take = (): void => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name], sampleProcess(pid).rssMb);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

/** CPU seconds the whole machine spent busy so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/**
 * Starts reading the CPU the machine and each watched process spend; `per(n)` answers what they
 * spent since, in ms per item (a send, a run).
 */
export function meterCpu(watched: ReadonlyArray<{ name: string; pid: number }>) {
  const before = watched.map((p) => sampleProcess(p.pid).cpuSeconds);
  const machineBefore = machineBusySeconds();
  return {
    per(items: number): { machineMs: number; processMs: Array<{ name: string; ms: number }> } {
      return {
        machineMs: ((machineBusySeconds() - machineBefore) * 1000) / items,
        processMs: watched.map((p, i) => ({ name: p.name, ms: ((sampleProcess(p.pid).cpuSeconds - before[i]) * 1000) / items })),
      };
    },
  };
}
