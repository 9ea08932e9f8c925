// Applies the hand-written SQL migrations in prisma/migrations and records
// them in `_prisma_migrations` exactly as Prisma Migrate does, so that
// `prisma migrate status` / `migrate deploy` see them as applied.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, DatabaseError, escapeIdentifier } from 'pg';

export const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'prisma', 'migrations');

/** The advisory lock key Prisma Migrate itself takes, so the two exclude each other. */
const MIGRATION_LOCK_KEY = 72707369;

const MAINTENANCE_DATABASE = 'postgres';

/** The bookkeeping table, as Prisma Migrate creates it. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64) NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Postgres error codes meaning "the database is already there" (the second from a concurrent create). */
const DATABASE_EXISTS_CODES = new Set(['42P04', '23505']);
/** Postgres's invalid_catalog_name: the database does not exist. */
const DATABASE_MISSING_CODE = '3D000';

export interface MigrationFile {
  /** The migration folder's name, e.g. `20261123000000_init`. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, as Prisma computes it. */
  checksum: string;
}

interface RecordedMigration {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await withClient(maintenanceUrl(databaseUrl), async (client) => {
    if (await databaseExists(client, name)) return;
    try {
      await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
    } catch (error) {
      if (!(error instanceof DatabaseError && DATABASE_EXISTS_CODES.has(error.code ?? ''))) throw error;
    }
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await withClient(maintenanceUrl(databaseUrl), async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
  });
}

export async function migrate(
  databaseUrl: string,
  log: (line: string) => void = () => undefined,
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations();
  return withClient(databaseUrl, (client) =>
    withMigrationLock(client, async () => {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const pending = pendingMigrations(migrations, await readRecordedMigrations(client));
      for (const migration of pending) {
        await applyMigration(client, migration);
        log(`applied ${migration.name}`);
      }
      return { applied: pending.map((migration) => migration.name) };
    }),
  );
}

/**
 * The migrations of prisma/migrations the database lacks (all of them on an
 * empty database). Throws, as migrate() does, on a failed migration left in
 * the table or an applied one whose file changed. Reads only.
 */
export async function unappliedMigrations(databaseUrl: string): Promise<string[]> {
  const migrations = await readMigrations();
  try {
    return await withClient(databaseUrl, async (client) => {
      const table = await client.query<{ name: string | null }>("SELECT to_regclass('_prisma_migrations')::text AS name");
      const recorded = table.rows[0]?.name ? await readRecordedMigrations(client) : [];
      return pendingMigrations(migrations, recorded).map((migration) => migration.name);
    });
  } catch (error) {
    if (error instanceof DatabaseError && error.code === DATABASE_MISSING_CODE) return migrations.map((migration) => migration.name);
    throw error;
  }
}

/** Throws, naming them, when the database lacks a migration: a process never runs on a schema older than its code. */
export async function assertMigrated(databaseUrl: string): Promise<void> {
  const unapplied = await unappliedMigrations(databaseUrl);
  if (unapplied.length > 0) throw new Error(`the database lacks ${unapplied.length} migration(s) (${unapplied.join(', ')}): run \`herald migrate\` first`);
}

/** Every `<folder>/migration.sql` under the migrations folder, in folder-name order. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(folders.map((name) => readMigration(dir, name)));
}

async function readMigration(dir: string, name: string): Promise<MigrationFile> {
  const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
  return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
}

async function readRecordedMigrations(client: Client): Promise<RecordedMigration[]> {
  const result = await client.query<RecordedMigration>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  return result.rows;
}

/**
 * The migrations still to apply. Throws on a failed migration left in the
 * table, or on an applied migration whose file has changed since.
 */
function pendingMigrations(migrations: MigrationFile[], recorded: RecordedMigration[]): MigrationFile[] {
  const failed = recorded.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and was never finished or rolled back; ` +
        'fix the database by hand, then mark it with `prisma migrate resolve` before migrating again.',
    );
  }
  const applied = recorded.filter((row) => row.finished_at !== null && row.rolled_back_at === null);
  return migrations.filter((migration) => {
    const row = applied.find((candidate) => candidate.migration_name === migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new Error(`Migration ${migration.name} was modified after it was applied (checksum mismatch).`);
    }
    return row === undefined;
  });
}

async function applyMigration(client: Client, migration: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`Migration ${migration.name} failed: ${errorMessage(error)}`, { cause: error });
  }
}

async function withMigrationLock<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

export async function withClient<T>(connectionString: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(client: Client, name: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return result.rowCount !== null && result.rowCount > 0;
}

export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (name === '') throw new Error('DATABASE_URL names no database');
  return name;
}

/** The same server and credentials as `databaseUrl`, another database. */
export function urlForDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The same server's `postgres` database, from which a database can be created or dropped. */
export function maintenanceUrl(databaseUrl: string): string {
  return urlForDatabase(databaseUrl, MAINTENANCE_DATABASE);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
