import { openAsBlob } from 'node:fs';
import { z } from 'zod';

/** Where the CLI finds Herald, from HERALD_URL and HERALD_API_KEY. */
export interface ApiTarget {
  baseUrl: string;
  apiKey: string;
}

export type ApiAnswer = { ok: true; status: number; body: unknown } | { ok: false; status: number; error: ApiErrorBody };

/** Herald's error shape: `{"error":{"code","message","details"}}`. */
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
export type ApiErrorBody = z.infer<typeof errorSchema>['error'];

/** One HTTP call to Herald; a network failure is an answer with status 0, not an exception. */
export async function callApi(target: ApiTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
  return send(target, path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** POSTs a file as the body, read from disk as it is sent (never held whole). */
export async function postFile(target: ApiTarget, path: string, file: string, contentType: string): Promise<ApiAnswer> {
  return send(target, path, { method: 'POST', headers: { 'content-type': contentType }, body: await openAsBlob(file) });
}

async function send(target: ApiTarget, path: string, init: { method: string; headers: Record<string, string>; body?: string | Blob }): Promise<ApiAnswer> {
  let response: Response;
  try {
    response = await fetch(`${target.baseUrl.replace(/\/$/, '')}${path}`, { ...init, headers: { authorization: `Bearer ${target.apiKey}`, ...init.headers } });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ok: false, status: 0, error: { code: 'UNREACHABLE', message: `cannot reach Herald at ${target.baseUrl}${cause}` } };
  }
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : null;
  if (response.ok) return { ok: true, status: response.status, body: parsed };
  const error = errorSchema.safeParse(parsed);
  return { ok: false, status: response.status, error: error.success ? error.data.error : { code: `HTTP_${response.status}`, message: text.slice(0, 200) } };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
