/** Standalone sandbox SMS vendor: `npm run start:sandbox`. */
import { z } from 'zod';
import { createLogger } from '../logger';
import { onShutdown } from '../runtime/shutdown';
import { createSandboxVendor } from './sandbox-vendor';

const envSchema = z.object({
  SANDBOX_VENDOR_PORT: z.coerce.number().int().nonnegative().default(4010),
  SANDBOX_RECEIPT_DELAY_MS: z.coerce.number().int().nonnegative().default(2000),
  /** The account's tokened receipt URL (`npm run db:seed` prints it). Empty means: do not push receipts, pull only. */
  SANDBOX_RECEIPT_CALLBACK_URL: z.string().default(''),
  SANDBOX_APP_KEY: z.string().min(1).default('sandbox-app'),
  SANDBOX_APP_SECRET: z.string().min(1).default('sandbox-secret'),
  LOG_LEVEL: z.string().default('info'),
  NODE_ENV: z.string().default('development'),
});

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const logger = createLogger({ level: env.LOG_LEVEL, name: 'sandbox-vendor', nodeEnv: env.NODE_ENV });
  const vendor = createSandboxVendor({
    receiptDelayMs: env.SANDBOX_RECEIPT_DELAY_MS,
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
