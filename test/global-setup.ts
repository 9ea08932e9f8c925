import { dropDatabase, ensureDatabase, migrate } from '../src/db/migrate';

/** One fresh, migrated database for the whole run. */
export default async function globalSetup(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/herald_test';
  process.env.LOG_LEVEL ??= 'silent';
  await dropDatabase(process.env.DATABASE_URL);
  await ensureDatabase(process.env.DATABASE_URL);
  await migrate(process.env.DATABASE_URL);
}
