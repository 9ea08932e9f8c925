import { VendorError } from './vendor-error';

/** What a vendor's HTTP endpoint answered, whatever the status. */
export interface HttpAnswer {
  status: number;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** Reads name and message without instanceof: fetch errors may come from another realm (jest's vm). */
function errorParts(error: unknown): { name: string; message: string; cause: unknown } {
  if (typeof error !== 'object' || error === null) return { name: '', message: String(error), cause: undefined };
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown };
  return { name: typeof name === 'string' ? name : '', message: typeof message === 'string' ? message : '', cause };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * One HTTP call to a vendor. Resolves with any answer the vendor gave (the
 * adapter classifies it); a timeout or a connection failure, where the vendor
 * said nothing, is a RETRYABLE VendorError (TIMEOUT / CONNECTION_ERROR).
 */
export async function callVendorHttp(request: HttpRequest): Promise<HttpAnswer> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, text, json: parseJson(text) };
  } catch (error) {
    const { name, message, cause } = errorParts(error);
    const causeMessage = cause === undefined ? '' : `: ${errorParts(cause).message}`;
    const code = name === 'TimeoutError' ? 'TIMEOUT' : 'CONNECTION_ERROR';
    throw new VendorError('RETRYABLE', 'UNKNOWN', code, `${message}${causeMessage}`);
  }
}
