/**
 * `npm run receipt-url -- <account name>`: prints the account's secret receipt
 * push URL, for an admin to configure at the vendor (and for the compose
 * sandbox vendor). Printed on stdout only; nothing else logs it.
 */
import { loadConfig } from '../config';
import { receiptPushUrl } from '../security/receipt-token';
import { createPrisma } from './prisma';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name) throw new Error('usage: receipt-url <account name>');
  const config = loadConfig();
  const prisma = createPrisma(config.DATABASE_URL);
  try {
    const account = await prisma.account.findUnique({ where: { name }, select: { id: true, provider: true } });
    if (!account) throw new Error(`no account named ${name}`);
    console.log(receiptPushUrl(config.PUBLIC_BASE_URL, config.RECEIPT_TOKEN_KEY, account));
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
