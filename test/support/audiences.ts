import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';

export interface AudienceFixtureRow {
  line: number;
  receiver: string;
  variables: Record<string, string>;
}

export interface AudienceFixture {
  teamId: string;
  channel?: string;
  variableColumns: string[];
  rows: AudienceFixtureRow[];
  /** Lines refused at upload (audience_error rows). */
  errors?: Array<{ line: number; reason: string; raw?: string }>;
  status?: 'UPLOADING' | 'READY' | 'FAILED';
}

const CHUNK = 2_000;

/**
 * An audience written straight into its tables, as the CSV upload (branch
 * `audiences`) leaves one: READY, valid rows with their file line, refused
 * lines as audience_error rows.
 */
export async function createAudience(prisma: PrismaClient, fixture: AudienceFixture): Promise<string> {
  const id = randomUUID();
  const errors = fixture.errors ?? [];
  await prisma.audience.create({
    data: {
      id, teamId: fixture.teamId, name: `fixture ${id.slice(0, 8)}`, channel: fixture.channel ?? 'SMS', variableColumns: fixture.variableColumns,
      status: fixture.status ?? 'READY', rowCount: fixture.rows.length, invalidCount: errors.length, finishedAt: new Date(),
    },
  });
  for (let start = 0; start < fixture.rows.length; start += CHUNK) {
    await prisma.audienceRow.createMany({ data: fixture.rows.slice(start, start + CHUNK).map((row) => ({ audienceId: id, ...row })) });
  }
  if (errors.length > 0) await prisma.audienceError.createMany({ data: errors.map((error) => ({ audienceId: id, raw: null, ...error })) });
  return id;
}

/**
 * `count` data lines of a CSV file (header on line 1, data from line 2) with the
 * given lines malformed: the others become rows `{name, order}` with Chinese
 * mobile receivers (`+86` and 11 digits: the prefix, then the line zero-padded),
 * the malformed ones errors.
 */
export function csvLikeAudience(count: number, malformedLines: number[], receiverPrefix: string): { rows: AudienceFixtureRow[]; errors: Array<{ line: number; reason: string; raw: string }> } {
  const malformed = new Set(malformedLines);
  const rows: AudienceFixtureRow[] = [];
  const errors: Array<{ line: number; reason: string; raw: string }> = [];
  for (let line = 2; line < count + 2; line += 1) {
    if (malformed.has(line)) errors.push({ line, reason: 'receiver is not a valid phone number', raw: `12ab${line},Name${line},O-${line}` });
    else rows.push({ line, receiver: `${receiverPrefix}${String(line).padStart(14 - receiverPrefix.length, '0')}`, variables: { name: `Name${line}`, order: `O-${line}` } });
  }
  return { rows, errors };
}
