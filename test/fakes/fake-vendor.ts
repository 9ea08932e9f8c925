/**
 * What the Tencent and Aliyun fakes share: a local HTTP server, a fault
 * queue, and a receipt book that pushes each receipt to a callback URL
 * after a delay and keeps it for pulls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Faults shared by both fakes; each fake adds the vendor's own error codes. */
export type Fault =
  /** Answer this HTTP status with the body the vendor sends for it. */
  | { kind: 'http_status'; status: number }
  /** Hold the request without an answer for `ms`. */
  | { kind: 'timeout'; ms: number }
  /** Refuse with the vendor's own error code (request level or per number, as the vendor does). */
  | { kind: 'code'; code: string }
  /** Accept, then report the message undelivered with this receipt code. */
  | { kind: 'undelivered'; code: string }
  /** Accept; the receipt is never pushed, but a pull finds it. */
  | { kind: 'lost_receipt' }
  /** Accept; no receipt ever exists. */
  | { kind: 'no_receipt' }
  /** Accept; the receipt comes after `delayMs` instead of the usual delay. */
  | { kind: 'slow_receipt'; delayMs: number }
  /** Accept, but push the receipt before answering the send call. */
  | { kind: 'receipt_before_answer' }
  /** Accept at once, answer only after `ms` (the client's timeout should fire first: its outcome is ambiguous). */
  | { kind: 'slow_answer'; ms: number }
  /** Accept, then close the connection without an answer. */
  | { kind: 'cut_after_accept' };

export interface FaultQueue {
  /** Queue `fault` for the next `count` send calls. */
  inject(fault: Fault, count?: number): void;
  /** Apply `fault` to every send call with nothing queued, until clear(). */
  always(fault: Fault): void;
  /** Apply `fault` to `share` of the send calls with nothing queued, evenly (0.5: every second one), until clear(). */
  some(fault: Fault, share: number): void;
  clear(): void;
  next(): Fault | null;
}

export function createFaultQueue(): FaultQueue {
  let queued: Fault[] = [];
  let standing: Fault | null = null;
  let sometimes: { fault: Fault; share: number; calls: number } | null = null;
  /** The shared fault when this call's turn comes: the count of faulted calls goes up by one whenever `share` of the calls so far passes a whole number. */
  const shared = (): Fault | null => {
    if (!sometimes) return null;
    const { share, calls } = sometimes;
    sometimes.calls += 1;
    return Math.floor((calls + 1) * share) > Math.floor(calls * share) ? sometimes.fault : null;
  };
  return {
    inject(fault, count = 1) {
      for (let i = 0; i < count; i += 1) queued.push(fault);
    },
    always(fault) {
      standing = fault;
    },
    some(fault, share) {
      sometimes = { fault, share, calls: 0 };
    },
    clear() {
      queued = [];
      standing = null;
      sometimes = null;
    },
    next: () => queued.shift() ?? standing ?? shared(),
  };
}

/** One delivery report as the fake keeps it; each fake writes it in its vendor's format. */
export interface FakeReceipt {
  messageId: string;
  /** E.164 */
  phone: string;
  outId: string;
  sentAt: Date;
  success: boolean;
  code: string;
  text: string;
  reportedAt: Date;
}

export interface ReceiptBook {
  /** Schedule the receipt of an accepted message according to its fault; resolves when a `receipt_before_answer` push is done. */
  schedule(receipt: Omit<FakeReceipt, 'reportedAt'>, fault: Fault | null): Promise<void>;
  /** Receipts that exist by now (pushed or not), for pulls. */
  existing(): FakeReceipt[];
  /** Every message the fake accepted, at once (its receipt may come later or never): the vendor-side count. */
  accepted(): Array<{ messageId: string; outId: string }>;
  /** Every push body the callback answered, and the answers. */
  readonly pushes: Array<{ body: unknown; status: number; answer: string }>;
  close(): void;
}

/**
 * `toPushBody` writes receipts in the vendor's push format; the push goes to
 * `callbackUrl()` (read at push time, so tests can set it after start).
 */
export function createReceiptBook(options: {
  delayMs: number;
  callbackUrl: () => string | null;
  toPushBody: (receipts: FakeReceipt[]) => unknown;
}): ReceiptBook {
  const receipts: FakeReceipt[] = [];
  const accepted: Array<{ messageId: string; outId: string }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const pushes: ReceiptBook['pushes'] = [];

  async function push(receipt: FakeReceipt): Promise<void> {
    const url = options.callbackUrl();
    if (!url) return;
    const body = options.toPushBody([receipt]);
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      pushes.push({ body, status: response.status, answer: await response.text() });
    } catch (error) {
      pushes.push({ body, status: 0, answer: error instanceof Error ? error.message : String(error) });
    }
  }

  function later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  }

  return {
    pushes,
    async schedule(pending, fault) {
      accepted.push({ messageId: pending.messageId, outId: pending.outId });
      if (fault?.kind === 'no_receipt') return;
      const delayMs = fault?.kind === 'slow_receipt' ? fault.delayMs : fault?.kind === 'receipt_before_answer' ? 0 : options.delayMs;
      const receipt: FakeReceipt = { ...pending, reportedAt: new Date(Date.now() + delayMs) };
      if (fault?.kind === 'receipt_before_answer') {
        receipts.push(receipt);
        await push(receipt);
        return;
      }
      later(delayMs, () => {
        receipts.push(receipt);
        if (fault?.kind !== 'lost_receipt') void push(receipt);
      });
    },
    existing: () => [...receipts],
    accepted: () => [...accepted],
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export interface ListeningFake {
  port: number;
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  close(): Promise<void>;
}

const VENDOR_IDLE_TIMEOUT_MS = 60_000;

/** Serves `handle` on 127.0.0.1; a handler that throws answers 500. */
export async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, onClose: () => void): Promise<ListeningFake> {
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) answerJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  // Vendors' front ends keep an idle connection for a minute or so, not Node's 5 s. With 5 s the
  // Aliyun SDK, whose connections have no idle bound (docs/guarantees.md), would now and then write
  // a call to a connection the fake was closing: a reset after sending, AMBIGUOUS, verified for minutes.
  server.keepAliveTimeout = VENDOR_IDLE_TIMEOUT_MS;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      onClose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Sends the answer of an accepted call as its fault says: at once, after `ms` (if the client is
 * still there), or never (the connection cut).
 */
export async function answerAccepted(res: ServerResponse, fault: Fault | null, answer: () => void): Promise<void> {
  if (fault?.kind === 'cut_after_accept') {
    res.socket?.destroy();
    return;
  }
  if (fault?.kind === 'slow_answer') {
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), fault.ms);
      res.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (closed) return;
  }
  answer();
}

/** Holds a request without an answer for `ms` (the client's timeout should fire first). */
export function hold(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (!res.headersSent) answerJson(res, 504, {});
      resolve();
    }, ms);
    res.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
