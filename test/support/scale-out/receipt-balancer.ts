/**
 * What a load balancer in front of N API replicas does with a vendor's receipt
 * pushes, on 127.0.0.1: each push goes to the next API in turn; an API that
 * refuses the connection or answers 503 (stopping, restarting) passes the push
 * to the next one. It remembers which API took which vendor message ids, so a
 * run can check that every API matched the receipts it took.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceiptBalancer {
  /** Base URL to give the vendor in place of an API's (`<url>/v1/receipts/...`). */
  url: string;
  /** Vendor message ids of the receipts each API took (index: the API's place in `apiBaseUrls`). */
  takenBy(): string[][];
  /** Pushes an API did not take, passed on to the next, by why: `503`, or the error's cause (`ECONNREFUSED`, ...). */
  passedOn(): Record<string, number>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The sandbox's push body: `{ receipts: [{ messageId, ... }] }`. */
function messageIdsOf(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { receipts?: Array<{ messageId?: unknown }> };
    return (parsed.receipts ?? []).map((receipt) => receipt.messageId).filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}

export async function startReceiptBalancer(apiBaseUrls: string[], port = 0): Promise<ReceiptBalancer> {
  const taken: string[][] = apiBaseUrls.map(() => []);
  let turn = 0;
  const passedOn: Record<string, number> = {};
  const passOn = (reason: string): void => {
    passedOn[reason] = (passedOn[reason] ?? 0) + 1;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const first = turn++ % apiBaseUrls.length;
      for (let step = 0; step < apiBaseUrls.length; step += 1) {
        const api = (first + step) % apiBaseUrls.length;
        try {
          const answer = await fetch(`${apiBaseUrls[api]}${req.url ?? '/'}`, {
            method: req.method,
            headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
            body: req.method === 'GET' ? undefined : body,
            signal: AbortSignal.timeout(10_000),
          });
          if (answer.status === 503) {
            await answer.body?.cancel();
            passOn('503');
            continue;
          }
          const text = await answer.text();
          if (answer.ok) taken[api]?.push(...messageIdsOf(body));
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
          return;
        } catch (error) {
          const cause = error instanceof Error && error.cause instanceof Error ? (error.cause as Error & { code?: string }).code ?? error.cause.name : null;
          passOn(cause ?? (error instanceof Error ? error.name : 'error'));
        }
      }
      res.writeHead(503).end();
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    takenBy: () => taken.map((ids) => [...ids]),
    passedOn: () => ({ ...passedOn }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
