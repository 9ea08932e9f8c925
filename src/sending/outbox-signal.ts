/**
 * Tells the outbox relay of this process that rows were committed, so it
 * starts their workflows at once instead of at its next poll. Requests only
 * notify (nothing is awaited on the request path); the relay waits on it
 * between passes.
 */
export function createOutboxSignal() {
  let pending = false;
  let wake: (() => void) | null = null;
  return {
    notify(): void {
      pending = true;
      wake?.();
    },
    /** Resolves at the next notify (at once if one came since the last wait), after `ms`, or when `signal` aborts. */
    async wait(ms: number, signal: AbortSignal): Promise<void> {
      if (!pending && !signal.aborted) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            wake = null;
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
      pending = false;
    },
  };
}

export type OutboxSignal = ReturnType<typeof createOutboxSignal>;
