/** Small pieces the SDK-based adapters share: endpoint parts, transport failures, receivers kept out of vendor texts. */
import { maskReceiver } from '../shared/mask';
import { ADAPTER_CODES } from './code-table';
import { VendorError } from './vendor-error';

/** `https://sms.tencentcloudapi.com` → scheme and host[:port], as the vendors' SDKs take them. */
export function endpointParts(endpoint: string): { scheme: 'http' | 'https'; host: string } {
  const url = new URL(endpoint);
  return { scheme: url.protocol === 'http:' ? 'http' : 'https', host: url.host };
}

/** Failures where the connection never reached the vendor: nothing can have been sent. */
const NEVER_CONNECTED = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

/**
 * A call that got no vendor answer. A connection that was never made is
 * RETRYABLE (CONNECTION_ERROR); a timeout or a connection lost on the way is
 * AMBIGUOUS (TIMEOUT / CONNECTION_CUT): the SDK does not say whether the
 * request had left, so Herald assumes the vendor may have it and asks before
 * moving on. The SDKs report these only as text, so this is the one place
 * that reads it. Their text may hold the request URL, whose query carries
 * the receiver's number (Aliyun's RPC style): the query is cut off, since
 * the text is stored with the attempt and shown by the API.
 */
export function transportFailure(text: string): VendorError {
  const shown = text.replace(/\?\S*/g, '?…');
  if (NEVER_CONNECTED.test(text)) return new VendorError('RETRYABLE', 'UNKNOWN', ADAPTER_CODES.connection, shown);
  const code = /time ?out|timed out/i.test(text) ? ADAPTER_CODES.timeout : ADAPTER_CODES.connectionCut;
  return new VendorError('AMBIGUOUS', 'UNKNOWN', code, shown);
}

/**
 * The same error with the receiver's number masked in the vendor's text
 * (E.164 and national form): vendors may quote the number, and the text is
 * stored with the attempt and shown by the API.
 */
export function withReceiverMasked(error: VendorError, receiver: string): VendorError {
  const national = receiver.replace(/^\+86/, '').replace(/^\+/, '');
  const text = error.vendorText.split(receiver).join(maskReceiver(receiver)).split(national).join(maskReceiver(national));
  return text === error.vendorText ? error : new VendorError(error.errorClass, error.reason, error.vendorCode, text);
}
