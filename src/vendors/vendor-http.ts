/** Small pieces the SDK-based adapters share: endpoint parts, transport failures, vendor clock times. */
import { DateTime } from 'luxon';
import { ADAPTER_CODES } from './code-table';
import { VendorError } from './vendor-error';

/** `https://sms.tencentcloudapi.com` → scheme and host[:port], as the vendors' SDKs take them. */
export function endpointParts(endpoint: string): { scheme: 'http' | 'https'; host: string } {
  const url = new URL(endpoint);
  return { scheme: url.protocol === 'http:' ? 'http' : 'https', host: url.host };
}

/**
 * A call that got no vendor answer (timeout, refused or reset connection):
 * retryable. The SDKs report these only as text, so this is the one place
 * that reads it. Their text may hold the request URL, whose query carries
 * the receiver's number (Aliyun's RPC style): the query is cut off, since
 * the text is stored with the attempt and shown by the API.
 */
export function transportFailure(text: string): VendorError {
  const code = /time ?out|timed out/i.test(text) ? ADAPTER_CODES.timeout : ADAPTER_CODES.connection;
  return new VendorError('RETRYABLE', 'UNKNOWN', code, text.replace(/\?\S*/g, '?…'));
}

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
