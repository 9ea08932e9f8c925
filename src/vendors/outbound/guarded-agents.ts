/**
 * HTTP(S) agents whose every new connection passes the outbound guard: a
 * name is resolved once by the guard and the socket connects to the address
 * it checked; an IP literal (which sockets never look up) is checked here.
 * Each redirect hop a client follows opens its connection through the same
 * agent, so it is checked again.
 *
 * Idle connections are closed by Herald before the vendor closes them: a
 * request written to a connection the vendor has just closed fails with
 * ECONNRESET after it was sent, which Herald must treat as AMBIGUOUS (the
 * vendor may have it) and verify. Node keeps a free socket for the
 * `timeout` given here, or for one second less than the `Keep-Alive:
 * timeout=N` the vendor announced when that is shorter; without `timeout`
 * it ignores any announcement over one second and keeps the socket until
 * the vendor closes it. On a socket in use, the same timeout only emits an event
 * nobody here listens to: a call's own time limit is the caller's.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { OutboundGuard } from './outbound-guard';

/** 4 s, as undici keeps idle connections: below the idle time of common servers (Node 5 s, nginx 75 s, load balancers 60 s). */
export const IDLE_CONNECTION_MS = 4_000;

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

/** An IP literal the guard refuses fails the request (through the agent's callback) before any socket exists. */
function refuseOrConnect(
  guard: OutboundGuard,
  host: string | null | undefined,
  callback: ConnectionCallback | undefined,
  connect: () => Duplex | null | undefined,
): Duplex | null | undefined {
  const refused = guard.literalRefusal(host ?? '');
  if (!refused) return connect();
  if (!callback) throw refused;
  // Node's agent calls back with an error alone when no socket was made.
  (callback as (err: Error) => void)(refused);
  return undefined;
}

class GuardedHttpAgent extends http.Agent {
  constructor(private readonly guard: OutboundGuard) {
    super({ keepAlive: true, timeout: IDLE_CONNECTION_MS, lookup: guard.lookup });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    return refuseOrConnect(this.guard, options.host, callback, () => super.createConnection(options, callback));
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(private readonly guard: OutboundGuard) {
    super({ keepAlive: true, timeout: IDLE_CONNECTION_MS, lookup: guard.lookup });
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectionCallback): Duplex | null | undefined {
    return refuseOrConnect(this.guard, options.host, callback, () => super.createConnection(options, callback));
  }
}

export interface GuardedAgents {
  http: http.Agent;
  https: https.Agent;
  /** The agent for a URL's scheme. */
  forUrl(url: string): http.Agent;
  destroy(): void;
}

export function createGuardedAgents(guard: OutboundGuard): GuardedAgents {
  const agents = { http: new GuardedHttpAgent(guard), https: new GuardedHttpsAgent(guard) };
  return {
    ...agents,
    forUrl: (url) => (new URL(url).protocol === 'https:' ? agents.https : agents.http),
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
