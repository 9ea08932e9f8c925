import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { callVendorHttp } from '../../src/vendors/http-call';
import { createVendorOutbound } from '../../src/vendors/outbound/vendor-outbound';

/**
 * A vendor closes an idle keep-alive connection after its own idle time; a
 * request Herald writes to it at that moment is reset after it was sent and
 * must be verified as AMBIGUOUS. So Herald closes idle connections first:
 * one second before the idle time the vendor announces (`Keep-Alive:
 * timeout=N`), or after IDLE_CONNECTION_MS when it announces none. Who
 * closed is read on the vendor's side: the client's close arrives as the
 * end of the stream before the socket closes; the server's own idle close
 * destroys the socket without one.
 */
const outbound = createVendorOutbound({ allowPrivate: false, allowNetworks: ['127.0.0.1/32'] });

interface ClosedConnection {
  /** The client ended the connection (its FIN came) before the socket closed. */
  byClient: boolean;
}

/** A vendor answering every request at once, with the given idle time (0: none, and no announcement). */
async function startVendor(keepAliveTimeoutMs: number): Promise<{ server: Server; url: string; closed: Promise<ClosedConnection> }> {
  let reportClose: (closed: ClosedConnection) => void = () => undefined;
  const closed = new Promise<ClosedConnection>((resolve) => {
    reportClose = resolve;
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.on('connection', (socket: Socket) => {
    let ended = false;
    socket.on('end', () => {
      ended = true;
    });
    socket.on('close', () => reportClose({ byClient: ended }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, closed };
}

async function callOnce(url: string): Promise<number> {
  const answer = await callVendorHttp(outbound.agents, { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 5_000 });
  return answer.status;
}

describe('idle vendor connections', () => {
  const servers: Server[] = [];

  afterAll(async () => {
    outbound.agents.destroy();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  it.each([
    ['a second before the idle time the vendor announced (3 s)', 3_000],
    ['after IDLE_CONNECTION_MS when the vendor announces no idle time', 0],
  ])('closes an idle connection %s, before the vendor does', async (_when, vendorIdleMs) => {
    const vendor = await startVendor(vendorIdleMs);
    servers.push(vendor.server);
    expect(await callOnce(vendor.url)).toBe(200);
    expect(await vendor.closed).toEqual({ byClient: true });
  }, 15_000);
});
