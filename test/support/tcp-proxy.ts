import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between Herald and one real dependency (Postgres, Redis,
 * Temporal), so a test can cause a real outage of that dependency for Herald
 * alone: `cut()` destroys every open connection and stops listening (new
 * connections are refused, as from a stopped server); `restore()` listens on
 * the same port again. The shared servers behind it are never touched.
 */
export interface TcpProxy {
  port: number;
  /** `host:port` of the proxy, for clients that take an address. */
  address: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (address === null || typeof address === 'string') reject(new Error('proxy has no TCP port'));
        else resolve(address.port);
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (server.listening) server.close(() => resolve());
      else resolve();
    });

  const port = await listen(0);
  return {
    port,
    address: `127.0.0.1:${port}`,
    cut: stopListening,
    async restore() {
      if (!server.listening) await listen(port);
    },
    close: stopListening,
  };
}
