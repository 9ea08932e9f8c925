import type { DevConfig } from '../../src/dev-config';

export const BENCH_TEMPLATE = 'welcome_sms';

export function authHeaders(config: DevConfig): Record<string, string> {
  return { authorization: `Bearer ${config.SEED_API_KEY}`, 'content-type': 'application/json' };
}

export function messageBody(receivers: string[], templateCode = BENCH_TEMPLATE): string {
  return JSON.stringify({ templateCode, receivers, variables: { name: 'Li', order: 'A-1001' } });
}

/** Posts one message; resolves with the HTTP status and the time to the answer. */
export async function postMessage(apiUrl: string, config: DevConfig, receivers: string[], templateCode?: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${apiUrl}/v1/messages`, { method: 'POST', headers: authHeaders(config), body: messageBody(receivers, templateCode) });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}
