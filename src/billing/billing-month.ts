/**
 * The billing month: `YYYY-MM` read in a time zone, because vendors bill by
 * their local day (Tencent and Aliyun by Beijing day), not by UTC.
 */
export interface BillingMonth {
  /** `2026-11` */
  month: string;
  /** IANA zone the month and its days are read in, e.g. `Asia/Shanghai`. */
  timeZone: string;
}

/** `YYYY-MM` from 1970-01 (nothing is billed before the epoch; year 0000 does not exist) to 9999-12. */
export const MONTH_PATTERN = /^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/;

/** True for a zone name the runtime knows (Postgres knows the same IANA names). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `2026-11-03` is a day of `2026-11`; says whether a calendar day belongs to the month. */
export function isDayOfMonth(day: string, month: string): boolean {
  return day.startsWith(`${month}-`) && Number(day.slice(8)) <= daysInMonth(month);
}

function daysInMonth(month: string): number {
  const [year = 0, monthNo = 0] = month.split('-').map(Number);
  return new Date(Date.UTC(year, monthNo, 0)).getUTCDate();
}
