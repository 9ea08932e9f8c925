/**
 * A lookup the API makes on every request (the caller's API key, the
 * template, the accounts a receipt push may be for), kept for `ttlMs`: a revoked key or a disabled template is refused
 * by every API process within that time. Concurrent misses of one key share
 * one load; a miss (null) is not kept, so a new key or template works at
 * once. At most `maxEntries` are kept (the oldest goes first); 0 ms reads
 * every time.
 */
export function createLookupCache<V>(ttlMs: number, maxEntries: number, now: () => number = Date.now) {
  const entries = new Map<string, { until: number; value: Promise<V | null> }>();

  function kept(key: string): Promise<V | null> | null {
    const cached = entries.get(key);
    return cached && cached.until > now() ? cached.value : null;
  }

  function loadAndKeep(key: string, load: () => Promise<V | null>): Promise<V | null> {
    if (ttlMs <= 0) return load();
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
  }

  return {
    async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
      return kept(key) ?? loadAndKeep(key, load);
    },

    /**
     * What `choose` finds in the kept value; when it finds nothing there, what it finds in a value
     * loaded again and kept instead (a row added since is found at once, and by the next call from
     * memory). A value this call loaded itself is not loaded twice.
     */
    async pick<R>(key: string, load: () => Promise<V | null>, choose: (value: V | null) => R | null): Promise<R | null> {
      const earlier = kept(key);
      const chosen = earlier ? choose(await earlier) : null;
      return chosen ?? choose(await loadAndKeep(key, load));
    },
  };
}

export type LookupCache<V> = ReturnType<typeof createLookupCache<V>>;
