// `npm run db:migrate`: creates the database if needed and applies pending migrations.
import { loadConfig } from '../config';
import { ensureDatabase, migrate } from './migrate';

async function main(): Promise<void> {
  const { DATABASE_URL: databaseUrl } = loadConfig();
  await ensureDatabase(databaseUrl);
  const { applied } = await migrate(databaseUrl, (line) => console.log(line));
  console.log(applied.length > 0 ? `${applied.length} migration(s) applied` : 'database is up to date');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
