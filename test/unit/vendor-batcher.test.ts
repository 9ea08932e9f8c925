import { z } from 'zod';
import { createVendorBatcher } from '../../src/activities/vendor-batcher';
import type { BatchOutcome, OutgoingMessage, VendorAccepted, VendorAccount, VendorAdapter } from '../../src/vendors/types';
import { VendorError } from '../../src/vendors/vendor-error';

const account: VendorAccount = { id: 'acct-1', name: 'one', provider: 'batchy', channel: 'SMS', config: {}, secrets: {} };

function message(receiver: string, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { sendId: `send-${receiver}`, reference: `send-${receiver}`, receiver, content: 'Your code is 1234', subject: null, vendorTemplateId: 'T1', variables: { code: '1234' }, ...overrides };
}

/** An adapter that records its calls; `refuse` decides per receiver (in a batch or alone), `failCall` fails a whole batch call. */
function recordingAdapter(options: { maxSize?: number; refuse?: (receiver: string) => VendorError | null; failCall?: VendorError; batch?: boolean } = {}) {
  const singleCalls: string[] = [];
  const batchCalls: string[][] = [];
  const accepted = (m: OutgoingMessage): VendorAccepted => ({ vendorMessageId: `id-${m.receiver}`, vendorCode: 'OK', vendorText: 'ok' });
  const adapter: VendorAdapter = {
    provider: 'batchy',
    channel: 'SMS',
    configSchema: z.record(z.string(), z.unknown()),
    secretsSchema: z.record(z.string(), z.string()),
    send(_account, m) {
      singleCalls.push(m.receiver);
      const refused = options.refuse?.(m.receiver) ?? null;
      return refused ? Promise.reject(refused) : Promise.resolve(accepted(m));
    },
    batch: options.batch === false ? undefined : {
      maxSize: options.maxSize ?? 200,
      send(_account, messages) {
        batchCalls.push(messages.map((m) => m.receiver));
        if (options.failCall) return Promise.reject(options.failCall);
        return Promise.resolve(messages.map((m): BatchOutcome => {
          const refused = options.refuse?.(m.receiver) ?? null;
          return refused ? { error: refused } : { accepted: accepted(m) };
        }));
      },
    },
  };
  return { adapter, singleCalls, batchCalls };
}

const receivers = (n: number) => Array.from({ length: n }, (_, i) => `+86138001${String(i).padStart(5, '0')}`);

describe('vendor batcher', () => {
  it('joins concurrent sends of one account and content into one batch call, each with its own id', async () => {
    const { adapter, singleCalls, batchCalls } = recordingAdapter();
    const batcher = createVendorBatcher({ windowMs: 20, maxSize: 200 });
    const results = await Promise.all(receivers(10).map((r) => batcher.send(adapter, account, message(r))));
    expect(batchCalls).toEqual([receivers(10)]);
    expect(singleCalls).toEqual([]);
    expect(results.map((r) => r.vendorMessageId)).toEqual(receivers(10).map((r) => `id-${r}`));
  });

  it('gives each send its own refusal, the others their acceptance', async () => {
    const bad = new VendorError('RECEIVER_INVALID', 'INVALID_RECEIVER', 'BAD', 'bad number');
    const [first, second, third] = receivers(3) as [string, string, string];
    const { adapter } = recordingAdapter({ refuse: (r) => (r === second ? bad : null) });
    const batcher = createVendorBatcher({ windowMs: 20, maxSize: 200 });
    const settled = await Promise.allSettled([first, second, third].map((r) => batcher.send(adapter, account, message(r))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]).toEqual({ status: 'rejected', reason: bad });
  });

  it('fails every send of a failed call with that error, each receiver masked in its text', async () => {
    const [first, second] = receivers(2) as [string, string];
    const failCall = new VendorError('RETRYABLE', 'UNKNOWN', 'HTTP_502', `gateway error for ${first},${second}`);
    const { adapter } = recordingAdapter({ failCall });
    const batcher = createVendorBatcher({ windowMs: 20, maxSize: 200 });
    const settled = await Promise.allSettled([first, second].map((r) => batcher.send(adapter, account, message(r))));
    for (const outcome of settled) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as VendorError;
      expect([error.errorClass, error.vendorCode]).toEqual(['RETRYABLE', 'HTTP_502']);
      expect(error.vendorText).not.toContain(first);
      expect(error.vendorText).not.toContain(second);
    }
  });

  it('sends each receiver alone when the vendor refuses the whole call for a receiver it does not name', async () => {
    const [first, second, third] = receivers(3) as [string, string, string];
    const failCall = new VendorError('RECEIVER_INVALID', 'INVALID_RECEIVER', 'isv.MOBILE_NUMBER_ILLEGAL', 'one number is illegal');
    const bad = new VendorError('RECEIVER_INVALID', 'INVALID_RECEIVER', 'isv.MOBILE_NUMBER_ILLEGAL', 'illegal');
    const { adapter, batchCalls, singleCalls } = recordingAdapter({ failCall, refuse: (r) => (r === second ? bad : null) });
    const batcher = createVendorBatcher({ windowMs: 20, maxSize: 200 });
    const settled = await Promise.allSettled([first, second, third].map((r) => batcher.send(adapter, account, message(r))));
    expect(batchCalls).toEqual([[first, second, third]]);
    expect(singleCalls.sort()).toEqual([first, second, third].sort());
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]).toEqual({ status: 'rejected', reason: bad });
  });

  it('keeps different content, different accounts and repeated receivers apart', async () => {
    const { adapter, batchCalls, singleCalls } = recordingAdapter();
    const batcher = createVendorBatcher({ windowMs: 20, maxSize: 200 });
    const [a, b, c] = receivers(3) as [string, string, string];
    await Promise.all([
      batcher.send(adapter, account, message(a)),
      batcher.send(adapter, account, message(b)),
      batcher.send(adapter, account, message(c, { variables: { code: '9999' }, content: 'Your code is 9999' })),
      batcher.send(adapter, { ...account, id: 'acct-2' }, message(a)),
      batcher.send(adapter, account, message(a, { sendId: 'send-again' })),
    ]);
    expect(batchCalls.sort()).toEqual([[a, b]]);
    // Alone in their batch: c (other variables), a on another account, a again (already in the open batch).
    expect(singleCalls.sort()).toEqual([a, a, c].sort());
  });

  it('splits at the smaller of the configured and the provider limit', async () => {
    const { adapter, batchCalls } = recordingAdapter({ maxSize: 4 });
    const batcher = createVendorBatcher({ windowMs: 20, maxSize: 3 });
    await Promise.all(receivers(7).map((r) => batcher.send(adapter, account, message(r))));
    expect(batchCalls.map((call) => call.length)).toEqual([3, 3]);
  });

  it('sends one call per receiver with a window of 0, or for a provider without a batch call', async () => {
    for (const [windowMs, batch] of [[0, true], [20, false]] as const) {
      const { adapter, singleCalls, batchCalls } = recordingAdapter({ batch });
      const batcher = createVendorBatcher({ windowMs, maxSize: 200 });
      await Promise.all(receivers(3).map((r) => batcher.send(adapter, account, message(r))));
      expect([singleCalls.length, batchCalls.length]).toEqual([3, 0]);
    }
  });
});
