// Proves that prisma/schema.prisma and the database built by our hand-written
// migrations agree: both are reduced to the same shape (tables, columns,
// indexes, foreign keys) and compared fact by fact.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { getDMMF } from '@prisma/internals';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { fileResources } from '../support/isolation';

type Datamodel = Awaited<ReturnType<typeof getDMMF>>['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

interface ColumnShape {
  table: string;
  name: string;
  /** Postgres udt name, with the precision for timestamps: `text`, `_text`, `timestamptz(3)`. */
  type: string;
  nullable: boolean;
}

interface IndexShape {
  table: string;
  name: string;
  columns: string[];
  kind: 'primary key' | 'unique index' | 'index';
}

interface ForeignKeyShape {
  table: string;
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

interface DatabaseShape {
  tables: string[];
  columns: ColumnShape[];
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
}

const SCHEMA_PATH = path.join(__dirname, '..', '..', 'prisma', 'schema.prisma');
const INIT_MIGRATION = '20261123000000_init';
/** This file's own database (test/support/isolation.ts), dropped and migrated here from nothing. */
const TEST_DATABASE_URL = fileResources().databaseUrl;

/** Postgres udt names of Prisma scalar types, as Prisma Migrate creates them. */
const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'int4',
  BigInt: 'int8',
  Boolean: 'bool',
  DateTime: 'timestamp',
  Json: 'jsonb',
};

/** Postgres udt names of the `@db.*` native types the schema uses. */
const NATIVE_TYPES: Record<string, string> = {
  Uuid: 'uuid',
  Timestamptz: 'timestamptz',
};

/** Prisma's precision for DateTime columns that name none. */
const DEFAULT_TIMESTAMP_PRECISION = '3';

/** Prisma referential actions as Postgres spells them. */
const PRISMA_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

/** pg_constraint.confdeltype / confupdtype codes as Postgres spells them. */
const POSTGRES_ACTION_CODES: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

const BOOKKEEPING_TABLE = '_prisma_migrations';

// ---- the shape schema.prisma asks for -------------------------------------

async function loadDatamodel(): Promise<Datamodel> {
  const document = await getDMMF({ datamodel: await readFile(SCHEMA_PATH, 'utf8') });
  return document.datamodel;
}

function tableOf(model: Model): string {
  return model.dbName ?? model.name;
}

function columnOf(model: Model, fieldName: string): string {
  const field = model.fields.find((candidate) => candidate.name === fieldName);
  if (!field) throw new Error(`${model.name} has no field ${fieldName}`);
  return field.dbName ?? field.name;
}

function modelNamed(datamodel: Datamodel, name: string): Model {
  const model = datamodel.models.find((candidate) => candidate.name === name);
  if (!model) throw new Error(`schema.prisma has no model ${name}`);
  return model;
}

function lookUp(types: Record<string, string>, name: string, where: string): string {
  const type = types[name];
  if (type === undefined) throw new Error(`no Postgres type known for ${name} (${where}); extend the test's type table`);
  return type;
}

function expectedColumnType(model: Model, field: Field): string {
  const where = `${model.name}.${field.name}`;
  const [nativeName, nativeArgs] = field.nativeType ?? [undefined, []];
  const baseType = nativeName ? lookUp(NATIVE_TYPES, nativeName, where) : lookUp(SCALAR_TYPES, field.type, where);
  const type = baseType.startsWith('timestamp') ? `${baseType}(${nativeArgs[0] ?? DEFAULT_TIMESTAMP_PRECISION})` : baseType;
  return field.isList ? `_${type}` : type;
}

function expectedColumns(model: Model): ColumnShape[] {
  return model.fields
    .filter((field) => field.kind === 'scalar')
    .map((field) => ({
      table: tableOf(model),
      name: field.dbName ?? field.name,
      type: expectedColumnType(model, field),
      // Prisma creates list columns without NOT NULL.
      nullable: !field.isRequired || field.isList,
    }));
}

const INDEX_KINDS = { id: 'primary key', unique: 'unique index', normal: 'index' } as const;
const INDEX_NAME_SUFFIXES = { id: 'pkey', unique: 'key', normal: 'idx' } as const;

function expectedIndexes(datamodel: Datamodel): IndexShape[] {
  return datamodel.indexes.map((index) => {
    if (index.type === 'fulltext') throw new Error(`fulltext index on ${index.model} is not supported by this test`);
    const model = modelNamed(datamodel, index.model);
    const table = tableOf(model);
    const columns = index.fields.map((field) => columnOf(model, field.name));
    const defaultName =
      index.type === 'id' ? `${table}_pkey` : `${table}_${columns.join('_')}_${INDEX_NAME_SUFFIXES[index.type]}`;
    return { table, name: index.dbName ?? defaultName, columns, kind: INDEX_KINDS[index.type] };
  });
}

function expectedForeignKeys(datamodel: Datamodel, model: Model): ForeignKeyShape[] {
  return model.fields
    .filter((field) => field.kind === 'object' && (field.relationFromFields ?? []).length > 0)
    .map((field) => {
      const fromFields = field.relationFromFields ?? [];
      const target = modelNamed(datamodel, field.type);
      const columns = fromFields.map((name) => columnOf(model, name));
      const allRequired = fromFields.every((name) => model.fields.find((f) => f.name === name)?.isRequired);
      const onDelete = field.relationOnDelete ?? (allRequired ? 'Restrict' : 'SetNull');
      return {
        table: tableOf(model),
        name: `${tableOf(model)}_${columns.join('_')}_fkey`,
        columns,
        referencedTable: tableOf(target),
        referencedColumns: (field.relationToFields ?? []).map((name) => columnOf(target, name)),
        onDelete: lookUp(PRISMA_ACTIONS, onDelete, `${model.name}.${field.name} onDelete`),
        onUpdate: lookUp(PRISMA_ACTIONS, field.relationOnUpdate ?? 'Cascade', `${model.name}.${field.name} onUpdate`),
      };
    });
}

function expectedShape(datamodel: Datamodel): DatabaseShape {
  return {
    tables: datamodel.models.map(tableOf),
    columns: datamodel.models.flatMap(expectedColumns),
    indexes: expectedIndexes(datamodel),
    foreignKeys: datamodel.models.flatMap((model) => expectedForeignKeys(datamodel, model)),
  };
}

// ---- the shape the migrated database has ----------------------------------

async function readTables(client: Client): Promise<string[]> {
  const result = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> $1`,
    [BOOKKEEPING_TABLE],
  );
  return result.rows.map((row) => row.table_name);
}

async function readColumns(client: Client): Promise<ColumnShape[]> {
  const result = await client.query<{
    table_name: string;
    column_name: string;
    udt_name: string;
    is_nullable: 'YES' | 'NO';
    datetime_precision: number | null;
  }>(
    `SELECT table_name, column_name, udt_name, is_nullable, datetime_precision
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> $1`,
    [BOOKKEEPING_TABLE],
  );
  return result.rows.map((row) => ({
    table: row.table_name,
    name: row.column_name,
    type: row.udt_name.includes('timestamp') ? `${row.udt_name}(${row.datetime_precision})` : row.udt_name,
    nullable: row.is_nullable === 'YES',
  }));
}

async function readIndexes(client: Client): Promise<IndexShape[]> {
  const result = await client.query<{
    table_name: string;
    index_name: string;
    columns: string[];
    is_primary: boolean;
    is_unique: boolean;
  }>(
    `SELECT t.relname::text AS table_name, i.relname::text AS index_name,
            ix.indisprimary AS is_primary, ix.indisunique AS is_unique,
            array_agg(a.attname::text ORDER BY k.position) AS columns
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND t.relname <> $1
      GROUP BY t.relname, i.relname, ix.indisprimary, ix.indisunique`,
    [BOOKKEEPING_TABLE],
  );
  return result.rows.map((row) => ({
    table: row.table_name,
    name: row.index_name,
    columns: row.columns,
    kind: row.is_primary ? 'primary key' : row.is_unique ? 'unique index' : 'index',
  }));
}

async function readForeignKeys(client: Client): Promise<ForeignKeyShape[]> {
  const result = await client.query<{
    table_name: string;
    constraint_name: string;
    columns: string[];
    referenced_table: string;
    referenced_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT t.relname::text AS table_name, c.conname::text AS constraint_name,
            rt.relname::text AS referenced_table,
            c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                   ORDER BY k.position) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
                   ORDER BY k.position) AS referenced_columns
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_class rt ON rt.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  return result.rows.map((row) => ({
    table: row.table_name,
    name: row.constraint_name,
    columns: row.columns,
    referencedTable: row.referenced_table,
    referencedColumns: row.referenced_columns,
    onDelete: lookUp(POSTGRES_ACTION_CODES, row.on_delete, `${row.constraint_name} on delete`),
    onUpdate: lookUp(POSTGRES_ACTION_CODES, row.on_update, `${row.constraint_name} on update`),
  }));
}

async function readShape(client: Client): Promise<DatabaseShape> {
  return {
    tables: await readTables(client),
    columns: await readColumns(client),
    indexes: await readIndexes(client),
    foreignKeys: await readForeignKeys(client),
  };
}

// ---- comparison -----------------------------------------------------------

/** One line per fact, so that two shapes compare as two sets of strings. */
function describeShape(shape: DatabaseShape): string[] {
  const list = (names: string[]): string => names.join(', ');
  return [
    ...shape.tables.map((table) => `table ${table}`),
    ...shape.columns.map(
      (column) => `column ${column.table}.${column.name} ${column.type} ${column.nullable ? 'NULL' : 'NOT NULL'}`,
    ),
    ...shape.indexes.map((index) => `${index.kind} ${index.name} on ${index.table}(${list(index.columns)})`),
    ...shape.foreignKeys.map(
      (key) =>
        `foreign key ${key.name} on ${key.table}(${list(key.columns)}) references ` +
        `${key.referencedTable}(${list(key.referencedColumns)}) on delete ${key.onDelete} on update ${key.onUpdate}`,
    ),
  ];
}

/** Every fact schema.prisma asks for that the database lacks, and every fact the database has beyond it. */
function compareShapes(expected: DatabaseShape, actual: DatabaseShape): string[] {
  const expectedFacts = new Set(describeShape(expected));
  const actualFacts = new Set(describeShape(actual));
  return [
    ...[...expectedFacts].filter((fact) => !actualFacts.has(fact)).map((fact) => `database lacks: ${fact}`),
    ...[...actualFacts].filter((fact) => !expectedFacts.has(fact)).map((fact) => `not in schema.prisma: ${fact}`),
  ].sort();
}

// ---- tests ----------------------------------------------------------------

describe('migrations against schema.prisma', () => {
  let client: Client;
  let expected: DatabaseShape;
  let firstRun: { applied: string[] };
  let secondRun: { applied: string[] };

  beforeAll(async () => {
    await dropDatabase(TEST_DATABASE_URL);
    await ensureDatabase(TEST_DATABASE_URL);
    firstRun = await migrate(TEST_DATABASE_URL);
    secondRun = await migrate(TEST_DATABASE_URL);
    client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    expected = expectedShape(await loadDatamodel());
  });

  afterAll(async () => {
    await client?.end();
    await dropDatabase(TEST_DATABASE_URL);
  });

  it('applies the init migration once, then nothing', () => {
    expect(firstRun.applied).toContain(INIT_MIGRATION);
    expect(secondRun.applied).toEqual([]);
  });

  it('records the init migration in _prisma_migrations with its checksum', async () => {
    const sql = await readFile(path.join(MIGRATIONS_DIR, INIT_MIGRATION, 'migration.sql'));
    const result = await client.query<{ checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT checksum, finished_at, applied_steps_count FROM "_prisma_migrations" WHERE migration_name = $1`,
      [INIT_MIGRATION],
    );
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0].checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(result.rows[0].finished_at).toBeInstanceOf(Date);
    expect(result.rows[0].applied_steps_count).toBe(1);
  });

  it('builds exactly the tables, columns, indexes and foreign keys schema.prisma describes', async () => {
    const actual = await readShape(client);
    expect(compareShapes(expected, actual)).toEqual([]);
    expect(actual.tables.length).toBeGreaterThan(0);
  });

  it('reports a mismatch when the columns differ', () => {
    const [dropped, retyped, ...rest] = expected.columns;
    const altered = [{ ...retyped, type: 'varchar', nullable: !retyped.nullable }, ...rest];

    const mismatches = compareShapes(expected, { ...expected, columns: altered });

    expect(mismatches).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^database lacks: column ${dropped.table}\\.${dropped.name} `)),
        expect.stringMatching(new RegExp(`^database lacks: column ${retyped.table}\\.${retyped.name} `)),
        expect.stringMatching(new RegExp(`^not in schema\\.prisma: column ${retyped.table}\\.${retyped.name} varchar`)),
      ]),
    );
    expect(mismatches).toHaveLength(3);
  });
});
