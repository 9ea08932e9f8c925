import { createAccountDirectory } from '../../src/activities/account-directory';
import { loadConfig } from '../../src/config';
import { createPrisma } from '../../src/db/prisma';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { createLogger } from '../../src/logger';
import { createSecretBox } from '../../src/security/secret-box';

const CACHE_MS = 3_000;

/** The workers' account cache on this file's Postgres, with a clock the test moves: a change reaches a worker within ACCOUNT_CACHE_MS, not before. */
describe('account directory cache', () => {
  let prisma: PrismaClient;
  const config = loadConfig();
  const secrets = createSecretBox(config.SECRET_KEY);
  let now = 0;
  const logger = createLogger({ level: 'silent', name: 'test', pretty: false });
  const directory = (cacheMs = CACHE_MS) => createAccountDirectory(prisma, secrets, cacheMs, logger, () => now);

  beforeAll(() => {
    prisma = createPrisma(config.DATABASE_URL);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
  });

  async function createAccount(name: string): Promise<string> {
    const row = await prisma.account.create({
      data: { name, channel: 'SMS', provider: 'sandbox', config: { endpoint: 'http://127.0.0.1:9' }, secretCiphertext: secrets.seal({ appKey: 'k', appSecret: 's' }) },
    });
    return row.id;
  }

  const names = async (accounts: ReturnType<typeof directory>) => (await accounts.enabledAccounts('SMS')).map((a) => a.name).sort();

  it('keeps a loaded account list for cacheMs, then reads the changes', async () => {
    const first = await createAccount('cached-a');
    const accounts = directory();
    expect(await names(accounts)).toEqual(['cached-a']);

    await prisma.account.update({ where: { id: first }, data: { enabled: false } });
    await createAccount('cached-b');
    now += CACHE_MS - 1;
    expect(await names(accounts)).toEqual(['cached-a']);
    now += 1;
    expect(await names(accounts)).toEqual(['cached-b']);
  });

  it('finds an account added after the list was cached by its id at once, and reads every change when cacheMs is 0', async () => {
    const accounts = directory();
    await accounts.enabledAccounts('SMS');
    const added = await createAccount('added-later');
    expect((await accounts.account('SMS', added))?.name).toBe('added-later');

    const uncached = directory(0);
    await uncached.enabledAccounts('SMS');
    await prisma.account.update({ where: { id: added }, data: { enabled: false } });
    expect(await names(uncached)).not.toContain('added-later');
  });
});
