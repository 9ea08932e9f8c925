import { ensureDatabase, migrate } from '../../db/migrate';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';

/**
 * `herald migrate`: creates the database if needed and applies the pending
 * migrations of prisma/migrations. The one thing that migrates: a one-shot
 * job before the API and workers start (docker-compose.yml's `migrate`), or
 * by hand; `npm run dev` runs it for you. Safe to run concurrently (advisory lock).
 */
export async function migrateCommand(databaseUrl: string, output: Output): Promise<ExitCode> {
  await ensureDatabase(databaseUrl);
  const { applied } = await migrate(databaseUrl, (line) => output.out(line));
  output.out(applied.length > 0 ? `${applied.length} migration(s) applied` : 'database is up to date');
  return EXIT.OK;
}
