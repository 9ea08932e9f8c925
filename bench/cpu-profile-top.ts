/**
 * `npx tsx bench/cpu-profile-top.ts <file.cpuprofile> [n] [--after=<s>]`: the top costs of a
 * `--cpu-prof` profile (BENCH_CPU_PROF=api npm run bench), by self time per
 * function and by package or source file, as shares of the sampled time.
 * `--after=8` leaves out the first 8 s of the profile (the process's start-up), so the shares are the load's.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@prisma/client/...` → `@prisma/client`; our own files by path under the repository. */
function placeOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return url;
  const own = /\/(src|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

function main(): void {
  const args = process.argv.slice(2);
  const afterUs = Number(args.find((arg) => arg.startsWith('--after='))?.slice('--after='.length) ?? 0) * 1e6;
  const [file, count = '25'] = args.filter((arg) => !arg.startsWith('--'));
  if (!file) throw new Error('usage: tsx bench/cpu-profile-top.ts <file.cpuprofile> [n] [--after=<s>]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let elapsedUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedUs += delta;
    if (elapsedUs >= afterUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  // Shares are of the busy time: the samples where the process ran JavaScript, GC or native code, not idle.
  const idle = profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + (selfUs.get(node.id) ?? 0), 0);
  for (const node of profile.nodes) if (node.callFrame.functionName === '(idle)') selfUs.delete(node.id);
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  console.log(`${file}: busy ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`);
  // Inclusive (self + synchronous callees) per function of our own source.
  const inclusiveUs = new Map<number, number>();
  const inclusive = (node: ProfileNode): number => {
    const known = inclusiveUs.get(node.id);
    if (known !== undefined) return known;
    const sum = (selfUs.get(node.id) ?? 0) + (node.children ?? []).reduce((acc, child) => acc + inclusive(byId.get(child)!), 0);
    inclusiveUs.set(node.id, sum);
    return sum;
  };
  const ownInclusive = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (!/\/(src|bench)\//.test(url) || url.includes('node_modules')) continue;
    const name = `${functionName || '(anonymous)'} ${placeOf(url)}:${lineNumber + 1}`;
    ownInclusive.set(name, (ownInclusive.get(name) ?? 0) + inclusive(node));
  }
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = `${functionName || '(anonymous)'} ${placeOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byPlace.set(placeOf(url), (byPlace.get(placeOf(url)) ?? 0) + us);
  }
  const top = (map: Map<string, number>, title: string): void => {
    console.log(`\n${title} (share of the busy time)`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
      console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${name}`);
    }
  };
  top(byPlace, 'Self time by package / file');
  top(byFunction, 'Self time by function');
  top(ownInclusive, 'Inclusive time (synchronous callees) by function of our own source');
}

main();
