import { createLookupCache } from '../../src/api/lookup-cache';
import { createOutboxSignal } from '../../src/sending/outbox-signal';

describe('the API lookup cache (API_LOOKUP_CACHE_MS)', () => {
  function counted<V>(value: V | null) {
    let loads = 0;
    return { load: async () => (loads += 1, value), loads: () => loads };
  }

  it('answers from memory within its lifetime and loads again after it', async () => {
    let now = 1_000;
    const cache = createLookupCache<string>(3_000, 10, () => now);
    const row = counted('key row');
    expect(await cache.get('k', row.load)).toBe('key row');
    now += 2_999;
    expect(await cache.get('k', row.load)).toBe('key row');
    expect(row.loads()).toBe(1);
    now += 1;
    await cache.get('k', row.load);
    expect(row.loads()).toBe(2);
  });

  it('keeps no miss, so a key or template created a moment ago is found at once', async () => {
    const cache = createLookupCache<string>(60_000, 10, () => 0);
    const missing = counted<string>(null);
    await cache.get('k', missing.load);
    await cache.get('k', missing.load);
    expect(missing.loads()).toBe(2);
  });

  it('picks from the kept value; finding nothing there, loads once more and keeps what it loaded', async () => {
    let rows = ['old account'];
    let loads = 0;
    const load = async () => (loads += 1, rows);
    const cache = createLookupCache<string[]>(60_000, 10, () => 0);
    const named = (name: string) => (accounts: string[] | null) => accounts?.find((account) => account === name) ?? null;
    expect(await cache.pick('sandbox', load, named('old account'))).toBe('old account');
    expect(loads).toBe(1);
    rows = ['old account', 'new account'];
    expect(await cache.pick('sandbox', load, named('new account'))).toBe('new account');
    expect(loads).toBe(2);
    // The value loaded again is the one kept now.
    expect(await cache.pick('sandbox', load, named('new account'))).toBe('new account');
    expect(loads).toBe(2);
  });

  it('does not load twice what one pick loaded itself: a name found nowhere costs one read', async () => {
    let loads = 0;
    const load = async () => (loads += 1, ['an account']);
    const nothing = () => null;
    expect(await createLookupCache<string[]>(60_000, 10, () => 0).pick('sandbox', load, nothing)).toBeNull();
    expect(loads).toBe(1);
    expect(await createLookupCache<string[]>(0, 10).pick('sandbox', load, nothing)).toBeNull();
    expect(loads).toBe(2);
  });

  it('reads every time with 0 ms and keeps at most its number of entries', async () => {
    const off = createLookupCache<string>(0, 10);
    const row = counted('x');
    await off.get('k', row.load);
    await off.get('k', row.load);
    expect(row.loads()).toBe(2);

    const small = createLookupCache<string>(60_000, 2, () => 0);
    const first = counted('first');
    await small.get('a', first.load);
    await small.get('b', counted('b').load);
    await small.get('c', counted('c').load);
    await small.get('a', first.load);
    expect(first.loads()).toBe(2);
  });
});

/** 'woken' when `waiting` resolves within `ms`, else 'slept'; leaves no timer behind. */
async function wokenWithin(waiting: Promise<void>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('slept'), ms);
  });
  try {
    return await Promise.race([waiting.then(() => 'woken'), slept]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the outbox signal', () => {
  it('wakes a waiting relay at once, and a notify before the wait is not lost', async () => {
    const signal = createOutboxSignal();
    const stop = new AbortController();
    const waiting = signal.wait(60_000, stop.signal);
    signal.notify();
    expect(await wokenWithin(waiting, 5_000)).toBe('woken');

    signal.notify();
    expect(await wokenWithin(signal.wait(60_000, stop.signal), 5_000)).toBe('woken');

    const unwoken = signal.wait(60_000, stop.signal);
    expect(await wokenWithin(unwoken, 50)).toBe('slept');
    stop.abort();
    await unwoken;
  });
});
