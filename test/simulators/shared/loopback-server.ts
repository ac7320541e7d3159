import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server on 127.0.0.1 with a free port, for simulators. A handler that throws is logged and,
 * when nothing was answered yet, answered by `onFailure` (the provider's own 500 body).
 */
export async function listenOnLoopback(
  name: string,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onFailure: (res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) onFailure(res);
      else res.destroy();
      console.error(`${name} handler failed`, err);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Closes at once: hung requests and keep-alive sockets would otherwise hold close() open forever. */
export async function closeNow(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
