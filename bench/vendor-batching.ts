/**
 * `npm run bench:batching`: vendor requests per 1,000 sends and sends/s
 * with and without the vendor batcher (src/activities/vendor-batcher.ts),
 * against the sandbox vendor and the fake Tencent API on this machine.
 * Sends arrive as a worker runs them: a fixed number of concurrent
 * activity slots, each sending one message after another, all with the same
 * content (one message to many receivers). Only the vendor step is
 * measured: no Temporal, no database. Nothing here asserts a time.
 */
import { createVendorBatcher } from '../src/activities/vendor-batcher';
import { createSandboxVendor } from '../src/sandbox/sandbox-vendor';
import { createSandboxAdapter } from '../src/vendors/sandbox';
import { createTencentSmsAdapter } from '../src/vendors/tencent-sms';
import type { OutgoingMessage, VendorAccount, VendorAdapter } from '../src/vendors/types';
import { startTencentFake } from '../test/fakes/tencent-sms-server';
import { printFigures, round } from './figures';
import { testOutbound } from '../test/support/outbound';

const sandboxAdapter = createSandboxAdapter(testOutbound);
const tencentSmsAdapter = createTencentSmsAdapter(testOutbound);

const SENDS = 1_000;
/** The worker's concurrent activity slots that reach the vendor step at once. */
const SLOTS = 100;
const WINDOWS_MS = [0, 20];

/** The adapter with its vendor requests counted (a batch call is one request). */
function counted(adapter: VendorAdapter): { adapter: VendorAdapter; requests: () => number } {
  let requests = 0;
  const batch = adapter.batch;
  return {
    requests: () => requests,
    adapter: {
      ...adapter,
      send(account, message) {
        requests += 1;
        return adapter.send(account, message);
      },
      batch: batch && {
        maxSize: batch.maxSize,
        send(account, messages) {
          requests += 1;
          return batch.send(account, messages);
        },
      },
    },
  };
}

function message(i: number, vendorTemplateId: string | null): OutgoingMessage {
  const sendId = `bench-${Date.now()}-${i}`;
  return {
    sendId, reference: sendId, receiver: `+86137${String(i).padStart(8, '0')}`, content: 'Hello Li, your order A-1 has shipped.',
    subject: null, vendorTemplateId, variables: { name: 'Li', order: 'A-1' },
  };
}

async function measure(name: string, adapter: VendorAdapter, account: VendorAccount, vendorTemplateId: string | null): Promise<void> {
  for (const windowMs of WINDOWS_MS) {
    const { adapter: countedAdapter, requests } = counted(adapter);
    const batcher = createVendorBatcher({ windowMs, maxSize: 200 });
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: SLOTS }, async () => {
      while (next < SENDS) {
        const i = next;
        next += 1;
        await batcher.send(countedAdapter, account, message(i, vendorTemplateId)).catch(() => {
          failed += 1;
        });
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    printFigures(`${name}, ${SENDS} sends, ${SLOTS} concurrent, batch window ${windowMs} ms${windowMs === 0 ? ' (batching off)' : ''}`, {
      'vendor requests': requests(),
      'vendor requests per 1,000 sends': round((requests() / SENDS) * 1000, 0),
      'sends/s': round(SENDS / seconds, 0),
      failed,
    });
  }
}

async function main(): Promise<void> {
  const sandbox = createSandboxVendor({ receiptDelayMs: 60_000, receiptCallbackUrl: null, appKey: 'bench-app', appSecret: 'bench-secret' });
  const sandboxServer = await sandbox.listen(0, '127.0.0.1');
  const tencent = await startTencentFake({ secretId: 'AKIDbench', secretKey: 'bench-secret', smsSdkAppId: '1400000000', receiptDelayMs: 60_000 });
  try {
    await measure('sandbox vendor', sandboxAdapter, {
      id: 'bench-sandbox', name: 'bench-sandbox', provider: 'sandbox', channel: 'SMS',
      config: { endpoint: `http://127.0.0.1:${sandboxServer.port}` }, secrets: { appKey: 'bench-app', appSecret: 'bench-secret' },
    }, null);
    await measure('Tencent SMS (fake API, TC3 signatures checked)', tencentSmsAdapter, {
      id: 'bench-tencent', name: 'bench-tencent', provider: 'tencent', channel: 'SMS',
      config: { smsSdkAppId: '1400000000', signName: 'Herald', endpoint: tencent.endpoint }, secrets: { secretId: 'AKIDbench', secretKey: 'bench-secret' },
    }, '1234567:name,order');
  } finally {
    await tencent.close();
    await sandboxServer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
