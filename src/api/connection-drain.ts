/**
 * Keep-alive connections of a stopping API. `server.close()` only stops new
 * connections: a client that holds one (a load balancer, a caller's connection
 * pool) keeps sending requests on it, so the server never finishes closing and
 * the shutdown bound ends the process with those requests cut. Once draining,
 * every response not yet started says `Connection: close`: the request on it
 * gets its real answer, then the connection ends and the client opens its next
 * one elsewhere.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export interface ConnectionDrain {
  /** `handler` with its responses tracked, and closing their connections once draining. */
  wrap(handler: RequestListener): RequestListener;
  /** From now on each response closes its connection, those already in progress included. */
  start(): void;
}

export function createConnectionDrain(): ConnectionDrain {
  let draining = false;
  const unanswered = new Set<ServerResponse>();
  const closeAfter = (res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  return {
    wrap(handler) {
      return (req: IncomingMessage, res: ServerResponse) => {
        if (draining) closeAfter(res);
        else {
          unanswered.add(res);
          res.once('close', () => unanswered.delete(res));
        }
        handler(req, res);
      };
    },
    start() {
      draining = true;
      for (const res of unanswered) closeAfter(res);
      unanswered.clear();
    },
  };
}
