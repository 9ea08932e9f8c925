/**
 * The worker's SDK (Rust core) latency histograms, read from its Prometheus endpoint:
 * mean per histogram (sum ÷ count, over every label set), e.g. how long workflow tasks
 * waited for a worker slot, how long local activities waited before they ran.
 */
export async function sdkLatencyMeans(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(temporal_\w*latency\w*?)_(sum|count)(?:\{[^}]*\})? ([\d.e+-]+)$/.exec(line);
    if (!match) continue;
    const [, name, kind, value] = match;
    const into = kind === 'sum' ? sums : counts;
    into.set(name, (into.get(name) ?? 0) + Number(value));
  }
  const means: Record<string, number> = {};
  for (const [name, count] of counts) if (count > 0) means[name] = (sums.get(name) ?? 0) / count;
  return means;
}
