/** `npm run db:seed`: the demo team, API key, templates and sandbox account, on a database `herald migrate` brought up to date. */
import { loadDevConfig } from '../dev-config';
import { receiptPushUrl } from '../security/receipt-token';
import { createSecretBox } from '../security/secret-box';
import { assertMigrated } from './migrate';
import { createPrisma } from './prisma';
import { seed } from './seed';

async function main(): Promise<void> {
  const config = loadDevConfig();
  await assertMigrated(config.DATABASE_URL);
  const prisma = createPrisma(config.DATABASE_URL);
  try {
    const account = await seed(prisma, config, createSecretBox(config.SECRET_KEY));
    console.log('seeded: team demo, templates welcome_sms and verify_code, account sandbox-primary');
    // The account's secret receipt URL: configure it at the vendor; it is printed here and nowhere else.
    console.log(`sandbox-primary receipt push URL: ${receiptPushUrl(config.PUBLIC_BASE_URL, config.RECEIPT_TOKEN_KEY, account)}`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
