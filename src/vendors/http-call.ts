import http from 'node:http';
import https from 'node:https';
import type { GuardedAgents } from './outbound/guarded-agents';
import { OutboundRefusedError } from './outbound/outbound-guard';
import { refusedDestination } from './outbound/vendor-outbound';
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

/** Most of a vendor's answer Herald reads; vendor answers are a few hundred bytes, a larger body is cut here. */
export const MAX_ANSWER_BYTES = 64 * 1024;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads name and message without instanceof: errors may come from another realm (jest's vm). */
function errorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, code } = error as { message?: unknown; code?: unknown };
  return [typeof code === 'string' ? code : '', typeof message === 'string' ? message : ''].filter(Boolean).join(' ');
}

/**
 * One HTTP call to a vendor through the guarded agents (outbound/): the
 * connection goes only to a checked address. Redirects are not followed: a
 * 3xx is the vendor's answer like any other status. At most MAX_ANSWER_BYTES
 * of the body are read. Resolves with any answer the vendor gave (the adapter
 * classifies it). Where the vendor said nothing, it matters whether the request
 * had left: before it was sent, a timeout or a connection failure is RETRYABLE
 * (TIMEOUT / CONNECTION_ERROR: the vendor never saw it); after, it is AMBIGUOUS
 * (TIMEOUT / CONNECTION_CUT: the vendor may have taken it, so the workflow asks
 * before it moves on). A refused destination is VENDOR_REJECTED OUTBOUND_REFUSED.
 */
export function callVendorHttp(agents: GuardedAgents, request: HttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: request.method, headers: request.headers, agent: agents.forUrl(request.url) });
    // Set once the whole request was handed to the connection: from then on the vendor may have it.
    let sent = false;
    req.on('finish', () => {
      sent = true;
    });
    const timer = setTimeout(() => {
      const text = `no answer within ${request.timeoutMs} ms${sent ? ' after the request was sent' : ''}`;
      req.destroy(new VendorError(sent ? 'AMBIGUOUS' : 'RETRYABLE', 'UNKNOWN', 'TIMEOUT', text));
    }, request.timeoutMs);
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      if (error instanceof VendorError) reject(error);
      else if (error instanceof OutboundRefusedError) reject(refusedDestination(error));
      else if (sent) reject(new VendorError('AMBIGUOUS', 'UNKNOWN', 'CONNECTION_CUT', `connection lost after the request was sent: ${errorMessage(error)}`));
      else reject(new VendorError('RETRYABLE', 'UNKNOWN', 'CONNECTION_ERROR', errorMessage(error)));
    };
    req.on('error', fail);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size >= MAX_ANSWER_BYTES) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_ANSWER_BYTES) response.destroy();
      });
      response.on('error', fail);
      const done = (): void => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
        resolve({ status: response.statusCode ?? 0, text, json: parseJson(text) });
      };
      response.on('end', done);
      response.on('close', () => {
        if (size >= MAX_ANSWER_BYTES) done();
      });
    });
    req.end(request.body);
  });
}
