/**
 * The request client the official twilio package sends through, made to
 * reach Twilio only the way Herald reaches every vendor: through the
 * outbound guard's agents (one lookup, the checked address pinned), to the
 * account's base URL (api.twilio.com, or a fake in tests), never following
 * a redirect, reading at most MAX_ANSWER_BYTES of an answer.
 */
import RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { MAX_ANSWER_BYTES } from '../http-call';
import type { VendorOutbound } from '../outbound/vendor-outbound';

export class GuardedTwilioClient extends RequestClient {
  /**
   * @param baseUrl where the account's API calls go: its scheme, host and port replace
   * api.twilio.com in every request the package builds, its path prefixes theirs.
   */
  constructor(outbound: VendorOutbound, private readonly baseUrl: string, timeoutMs: number) {
    super({ timeout: timeoutMs, autoRetry: false });
    this.axios.defaults.httpAgent = outbound.agents.http;
    this.axios.defaults.httpsAgent = outbound.agents.https;
    this.axios.defaults.maxContentLength = MAX_ANSWER_BYTES;
    this.axios.defaults.maxRedirects = 0;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    return super.request<TData>({ ...opts, uri: this.rebased(opts.uri), allowRedirects: false });
  }

  private rebased(uri: string): string {
    const built = new URL(uri);
    const base = new URL(this.baseUrl);
    const prefix = base.pathname.replace(/\/$/, '');
    return `${base.origin}${prefix}${built.pathname}${built.search}`;
  }
}
