/** Chinese vendors' clock: times written as `yyyy-MM-dd HH:mm:ss` and days as `yyyyMMdd`, in Beijing time. */
import { DateTime } from 'luxon';

/** Chinese vendors write times as `yyyy-MM-dd HH:mm:ss` in Beijing time; null when unreadable. */
export function beijingTimeToDate(text: string): Date | null {
  const parsed = DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone: 'Asia/Shanghai' });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** The Beijing calendar day of an instant as `yyyyMMdd` (Aliyun's SendDate). */
export function beijingDay(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'Asia/Shanghai' }).toFormat('yyyyMMdd');
}

/** An instant as `yyyy-MM-dd HH:mm:ss` in Beijing time, as the vendors write it. */
export function beijingTime(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'Asia/Shanghai' }).toFormat('yyyy-MM-dd HH:mm:ss');
}
