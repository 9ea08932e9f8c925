/**
 * The two shapes of vendor bill Herald reads, told apart by the header row:
 * per message (a message id column) or per day (a date and a count column).
 * Column names are matched case-insensitively; the aliases are the names
 * Tencent Cloud and Aliyun use in their send-record exports and APIs.
 */
export type BillLayout =
  | { kind: 'per-message'; columns: number; vendorMessageId: number; segments: number; receiver: number | null }
  | { kind: 'per-day'; columns: number; date: number; count: number };

/** Accepted header names per column (lower case). */
export const BILL_COLUMN_NAMES = {
  /** Tencent: SerialNo; Aliyun: BizId (发送流水号 / 回执ID in console exports). */
  vendorMessageId: ['vendor_message_id', 'serialno', 'bizid', '流水号', '发送流水号', '回执id'],
  /** Tencent: PhoneNumber; Aliyun: PhoneNum; console exports: 手机号码. */
  receiver: ['receiver', 'phonenumber', 'phonenum', 'mobile', '手机号码', '手机号'],
  /** Tencent: Fee (计费条数); Aliyun receipts: SmsSize / sms_size. */
  segments: ['segments', 'fee', 'smssize', 'sms_size', '计费条数'],
  /** Aliyun: SendDate; console statistics: 日期 / 发送日期. */
  date: ['date', 'senddate', 'send_date', '日期', '发送日期'],
  /** Tencent statistics: bill_number (计费条数); generic: count. */
  count: ['count', 'bill_number', 'billnumber', '计费条数', '条数'],
} as const;

/** Why a header row is not a bill Herald reads. */
export interface HeaderProblem {
  field: string;
  reason: string;
}

/** Reads the header row; a problem names the missing column and the names accepted for it. */
export function detectBillLayout(header: string[]): BillLayout | HeaderProblem {
  const names = header.map((name) => name.trim().toLowerCase());
  const find = (column: keyof typeof BILL_COLUMN_NAMES): number => names.findIndex((name) => (BILL_COLUMN_NAMES[column] as readonly string[]).includes(name));
  const vendorMessageId = find('vendorMessageId');
  if (vendorMessageId >= 0) {
    const segments = find('segments');
    if (segments < 0) return missing('segments', 'a per-message bill needs a segments column');
    const receiver = find('receiver');
    return { kind: 'per-message', columns: header.length, vendorMessageId, segments, receiver: receiver >= 0 ? receiver : null };
  }
  const date = find('date');
  const count = find('count');
  if (date >= 0 && count >= 0) return { kind: 'per-day', columns: header.length, date, count };
  if (date >= 0) return missing('count', 'a per-day bill needs a count column');
  return {
    field: 'header',
    reason: `line 1 is neither a per-message bill (a ${BILL_COLUMN_NAMES.vendorMessageId.join(' / ')} column) nor a per-day bill (${BILL_COLUMN_NAMES.date.join(' / ')} and ${BILL_COLUMN_NAMES.count.join(' / ')} columns)`,
  };
}

function missing(column: keyof typeof BILL_COLUMN_NAMES, why: string): HeaderProblem {
  return { field: 'header', reason: `${why} (${BILL_COLUMN_NAMES[column].join(' / ')})` };
}
