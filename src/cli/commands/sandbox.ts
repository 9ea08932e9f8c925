import { z } from 'zod';
import { FAULT_KINDS, type FaultKind } from '../../sandbox/faults';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';
import { table } from '../table';

/** Where `herald sandbox` finds the sandbox vendor: HERALD_SANDBOX_URL. */
export const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:4010';

const faultSchema = z.object({ kind: z.string(), timeoutMs: z.number(), factor: z.number() });
const stateSchema = z.object({ queued: z.array(faultSchema), always: faultSchema.nullable() });
type FaultState = z.infer<typeof stateSchema>;

/** A fault for the next send calls (`count`), or for every one until cleared (`always`). */
export interface FaultRequest {
  kind: FaultKind;
  count?: number;
  always?: boolean;
  timeoutMs?: number;
  factor?: number;
}

export function isFaultKind(kind: string): kind is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(kind);
}

/** One call of the sandbox's control routes (src/sandbox/control-routes.ts); the vendor's state after it, or why not. */
async function control(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', body?: FaultRequest): Promise<{ ok: true; state: FaultState } | { ok: false; problem: string }> {
  const url = `${baseUrl.replace(/\/$/, '')}/_control/faults`;
  let response: Response;
  try {
    response = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ok: false, problem: `cannot reach the sandbox vendor at ${baseUrl}${cause} (set HERALD_SANDBOX_URL)` };
  }
  const text = await response.text();
  const state = stateSchema.safeParse(response.ok ? JSON.parse(text) : null);
  return state.success ? { ok: true, state: state.data } : { ok: false, problem: `the sandbox answered ${response.status}: ${text.slice(0, 200)}` };
}

function printState(output: Output, state: FaultState): void {
  const rows = [
    ...state.queued.map((fault, index) => [`next ${index + 1}`, fault.kind, String(fault.timeoutMs), String(fault.factor)]),
    ...(state.always ? [['always', state.always.kind, String(state.always.timeoutMs), String(state.always.factor)]] : []),
  ];
  output.out(rows.length === 0 ? 'no faults: every send call is answered normally' : table(['applies to', 'fault', 'timeoutMs', 'factor'], rows));
}

/** `herald sandbox fail|clear|faults`: the sandbox vendor's fault controls. */
export async function sandboxCommand(baseUrl: string, action: { kind: 'fail'; fault: FaultRequest } | { kind: 'clear' } | { kind: 'faults' }, output: Output): Promise<ExitCode> {
  const answer =
    action.kind === 'fail' ? await control(baseUrl, 'POST', action.fault) : await control(baseUrl, action.kind === 'clear' ? 'DELETE' : 'GET');
  if (!answer.ok) {
    output.err(answer.problem);
    return EXIT.NOT_OK;
  }
  printState(output, answer.state);
  return EXIT.OK;
}
