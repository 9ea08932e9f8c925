/**
 * A lookup the API makes on every request (the caller's API key, the
 * template), kept for `ttlMs`: a revoked key or a disabled template is refused
 * by every API process within that time. Concurrent misses of one key share
 * one load; a miss (null) is not kept, so a new key or template works at
 * once. At most `maxEntries` are kept (the oldest goes first); 0 ms reads
 * every time.
 */
export function createLookupCache<V>(ttlMs: number, maxEntries: number, now: () => number = Date.now) {
  const entries = new Map<string, { until: number; value: Promise<V | null> }>();
  return {
    async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
      if (ttlMs <= 0) return load();
      const cached = entries.get(key);
      if (cached && cached.until > now()) return cached.value;
      entries.delete(key);
      const value = load();
      entries.set(key, { until: now() + ttlMs, value });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      // A failed load or a miss is forgotten, so the next request asks again.
      value.then(
        (found) => {
          if (found === null && entries.get(key)?.value === value) entries.delete(key);
        },
        () => {
          if (entries.get(key)?.value === value) entries.delete(key);
        },
      );
      return value;
    },
  };
}

export type LookupCache<V> = ReturnType<typeof createLookupCache<V>>;
