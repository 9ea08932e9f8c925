/**
 * Calls to Herald's /v1 API with the console's session cookie (sent by the
 * browser, HttpOnly) and, on requests that change something, the session's
 * CSRF token, held in memory only.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** What a request that never got an answer is called. */
export const NETWORK_ERROR = 'NETWORK_ERROR';

let csrfToken: string | null = null;
let onSessionEnded: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API says the session is gone (401), so the page returns to sign-in. */
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

type Body = { json: unknown } | { csv: string | Blob };

function headersFor(method: string, body?: Body): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (body && 'json' in body) headers['content-type'] = 'application/json';
  if (body && 'csv' in body) headers['content-type'] = 'text/csv';
  return headers;
}

async function answerOf<T>(response: Response, path: string): Promise<T> {
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (response.ok) return parsed as T;
  const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  if (response.status === 401 && !path.startsWith('/console/session')) onSessionEnded();
  throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.details);
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: Body): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: headersFor(method, body),
      body: body === undefined ? undefined : 'json' in body ? JSON.stringify(body.json) : body.csv,
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR, 'no answer from Herald');
  }
  return answerOf<T>(response, path);
}

/** A query string from the defined values. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Uploads a CSV file, reporting progress (fetch cannot report an upload's progress; XMLHttpRequest can). */
export function uploadCsv<T>(path: string, file: Blob, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    for (const [name, value] of Object.entries(headersFor('POST', { csv: file }))) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () => reject(new ApiError(0, NETWORK_ERROR, 'no answer from Herald'));
    request.onload = () => {
      onProgress(1);
      answerOf<T>(new Response(request.responseText, { status: request.status, statusText: request.statusText }), path).then(resolve, reject);
    };
    request.send(file);
  });
}
