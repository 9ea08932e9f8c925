/**
 * Where many workflows' vendor calls meet: sends through the same account
 * with the same content, template and variables that arrive within a short
 * window go out as one batch call of the provider (`VendorAdapter.batch`),
 * and each caller gets its own outcome back. Herald keeps one workflow and
 * one activity per receiver; only the vendor request is shared. Providers
 * without a batch call, and a window of 0, send one call per receiver at once.
 */
import type { OutgoingMessage, VendorAccepted, VendorAccount, VendorAdapter, VendorBatchSend } from '../vendors/types';
import { VendorError } from '../vendors/vendor-error';
import { withReceiverMasked } from '../vendors/vendor-http';

export interface VendorBatchSettings {
  /** How long the first send of a batch waits for others; 0 turns batching off. */
  windowMs: number;
  /** Most receivers in one batch call, below the provider's own limit. */
  maxSize: number;
}

interface Waiting {
  message: OutgoingMessage;
  resolve: (accepted: VendorAccepted) => void;
  reject: (error: unknown) => void;
}

interface OpenBatch {
  adapter: VendorAdapter;
  account: VendorAccount;
  batch: VendorBatchSend;
  waiting: Waiting[];
  timer: NodeJS.Timeout;
}

export interface VendorBatcher {
  send(adapter: VendorAdapter, account: VendorAccount, message: OutgoingMessage): Promise<VendorAccepted>;
}

/** Sends that may share one vendor call: same account, same text and template, same variables. */
function batchKey(account: VendorAccount, message: OutgoingMessage): string {
  const variables = Object.entries(message.variables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([account.id, message.vendorTemplateId, message.subject, message.content, variables]);
}

/** A failure of the whole call, as each of its sends records it: no receiver of the batch in the vendor's text. */
function maskedForAll(error: unknown, messages: OutgoingMessage[]): unknown {
  if (!(error instanceof VendorError)) return error;
  return messages.reduce((masked, message) => withReceiverMasked(masked, message.receiver), error);
}

export function createVendorBatcher(settings: VendorBatchSettings): VendorBatcher {
  const open = new Map<string, OpenBatch>();

  async function flush(key: string, batch: OpenBatch): Promise<void> {
    clearTimeout(batch.timer);
    if (open.get(key) === batch) open.delete(key);
    const messages = batch.waiting.map((w) => w.message);
    const sendAlone = async (waiting: Waiting): Promise<void> => {
      try {
        waiting.resolve(await batch.adapter.send(batch.account, waiting.message));
      } catch (error) {
        waiting.reject(error);
      }
    };
    const [alone] = batch.waiting;
    // Nobody joined: the provider's single send (its own client reference, its own message id).
    if (alone && batch.waiting.length === 1) return sendAlone(alone);
    try {
      const outcomes = await batch.batch.send(batch.account, messages);
      batch.waiting.forEach((waiting, index) => {
        const outcome = outcomes[index];
        if (!outcome) waiting.reject(new VendorError('RETRYABLE', 'UNKNOWN', 'BAD_RESPONSE', 'the batch answer has no outcome for this receiver'));
        else if ('accepted' in outcome) waiting.resolve(outcome.accepted);
        else waiting.reject(outcome.error);
      });
    } catch (error) {
      // A call refused for a receiver the vendor does not name (Aliyun answers one code for the whole
      // batch): one call per receiver finds whose it is, instead of stopping every send of the batch.
      if (error instanceof VendorError && error.errorClass === 'RECEIVER_INVALID') {
        await Promise.all(batch.waiting.map(sendAlone));
        return;
      }
      const shared = maskedForAll(error, messages);
      for (const waiting of batch.waiting) waiting.reject(shared);
    }
  }

  function flushSoon(key: string, batch: OpenBatch): void {
    void flush(key, batch);
  }

  return {
    send(adapter, account, message) {
      if (!adapter.batch || settings.windowMs <= 0 || settings.maxSize < 2) return adapter.send(account, message);
      const batchSend = adapter.batch;
      const key = batchKey(account, message);
      const current = open.get(key);
      // A receiver twice in one call would make its outcomes ambiguous: the earlier batch leaves first.
      if (current?.waiting.some((w) => w.message.receiver === message.receiver)) flushSoon(key, current);
      return new Promise<VendorAccepted>((resolve, reject) => {
        let batch = open.get(key);
        if (!batch) {
          const created: OpenBatch = {
            adapter, account, batch: batchSend, waiting: [],
            timer: setTimeout(() => flushSoon(key, created), settings.windowMs),
          };
          open.set(key, created);
          batch = created;
        }
        batch.waiting.push({ message, resolve, reject });
        if (batch.waiting.length >= Math.min(settings.maxSize, batchSend.maxSize)) flushSoon(key, batch);
      });
    },
  };
}
