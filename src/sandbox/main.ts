/** Standalone sandbox SMS vendor: `npm run start:sandbox`. */
import { loadDevConfig } from '../dev-config';
import { createLogger } from '../logger';
import { onShutdown } from '../runtime/shutdown';
import { createSandboxVendor } from './sandbox-vendor';

async function main(): Promise<void> {
  const env = loadDevConfig();
  const logger = createLogger({ level: env.LOG_LEVEL, name: 'sandbox-vendor', nodeEnv: env.NODE_ENV });
  const vendor = createSandboxVendor({
    receiptDelayMs: env.SANDBOX_RECEIPT_DELAY_MS,
    // The account's tokened receipt URL; empty: receipts are pulled only.
    receiptCallbackUrl: env.SANDBOX_RECEIPT_CALLBACK_URL || null,
    appKey: env.SANDBOX_APP_KEY,
    appSecret: env.SANDBOX_APP_SECRET,
    logger,
  });
  const server = await vendor.listen(env.SANDBOX_VENDOR_PORT);
  logger.info(
    { port: server.port, pushesReceipts: env.SANDBOX_RECEIPT_CALLBACK_URL !== '' },
    'sandbox SMS vendor listening',
  );

  onShutdown(logger, () => server.close());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
