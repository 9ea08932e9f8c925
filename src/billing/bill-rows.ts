import { isDayOfMonth } from './billing-month';
import type { BillLayout } from './bill-layout';

/** One billed day: the vendor's count (segments or messages, as the caller says). */
export interface BilledDay {
  line: number;
  day: string;
  count: number;
}

/** One billed message. */
export interface BilledMessage {
  line: number;
  vendorMessageId: string;
  /** As the vendor wrote it; only ever shown masked. */
  receiver: string | null;
  segments: number;
}

/** A bill row Herald cannot read: its line in the file, the column and why. */
export interface BillRowProblem {
  line: number;
  field: string;
  reason: string;
}

export type BillRow = { kind: 'day'; row: BilledDay } | { kind: 'message'; row: BilledMessage } | { kind: 'problem'; problem: BillRowProblem };

const MAX_ID_LENGTH = 200;
const MAX_RECEIVER_LENGTH = 320;

/** Reads one data row of a bill whose header gave `layout`; `month` bounds the dates of a per-day bill. */
export function readBillRow(layout: BillLayout, fields: string[], line: number, month: string): BillRow {
  if (fields.length !== layout.columns) return problem(line, 'row', `has ${fields.length} fields, the header has ${layout.columns}`);
  if (layout.kind === 'per-day') {
    const dateText = (fields[layout.date] ?? '').trim();
    const day = dayOf(dateText);
    if (!day) return problem(line, 'date', `"${dateText.slice(0, 40)}" is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)`);
    if (!isDayOfMonth(day, month)) return problem(line, 'date', `${day} is not a day of ${month}`);
    const count = wholeNumber(fields[layout.count]);
    if (count === null) return problem(line, 'count', 'must be a whole number of 0 or more');
    return { kind: 'day', row: { line, day, count } };
  }
  const vendorMessageId = (fields[layout.vendorMessageId] ?? '').trim();
  if (vendorMessageId === '') return problem(line, 'vendor_message_id', 'is empty');
  if (vendorMessageId.length > MAX_ID_LENGTH) return problem(line, 'vendor_message_id', `is longer than ${MAX_ID_LENGTH} characters`);
  const segments = wholeNumber(fields[layout.segments]);
  if (segments === null) return problem(line, 'segments', 'must be a whole number of 0 or more');
  const receiver = layout.receiver === null ? null : (fields[layout.receiver] ?? '').trim().slice(0, MAX_RECEIVER_LENGTH) || null;
  return { kind: 'message', row: { line, vendorMessageId, receiver, segments } };
}

function problem(line: number, field: string, reason: string): BillRow {
  return { kind: 'problem', problem: { line, field, reason } };
}

/** `2026-11-03`, `2026/11/03`, `20261103` → `2026-11-03`; anything else (or an impossible date) → null. */
function dayOf(text: string): string | null {
  const match = /^(\d{4})([-/]?)(\d{2})\2(\d{2})$/.exec(text);
  if (!match) return null;
  const [, year, , month, day] = match;
  const date = new Date(`${year}-${month}-${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(day)) return null;
  return `${year}-${month}-${day}`;
}

function wholeNumber(text: string | undefined): number | null {
  const trimmed = (text ?? '').trim();
  if (!/^\d{1,9}$/.test(trimmed)) return null;
  return Number(trimmed);
}
