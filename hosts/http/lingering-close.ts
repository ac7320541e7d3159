import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a refused client may go on uploading, its bytes discarded, before its connection is cut. */
const LINGER_MS = 2_000;

/**
 * Closes the connection of a request answered before its body was read to the end, the way RFC 9112 §9.6 asks:
 * the answer is sent, then our side of the connection is shut (FIN) while what the client still uploads is read
 * and discarded for a short while, then the socket is destroyed. Destroying at once (Node's default for
 * `Connection: close`) makes the kernel reset a connection that still receives data, and a client still uploading
 * then loses the answer to that reset: it sees EPIPE instead of 413.
 */
export function lingerThenClose(req: IncomingMessage, res: ServerResponse): void {
  // The response's socket: a request whose body reading was abandoned may be detached from it already.
  const socket = res.socket;
  if (!socket) return;
  // Node calls destroySoon() once the answer is flushed, for any response marked `Connection: close`.
  socket.destroySoon = function lingeringDestroy(this: typeof socket) {
    this.end();
    const cut = setTimeout(() => this.destroy(), LINGER_MS);
    cut.unref();
    this.once('close', () => clearTimeout(cut));
    this.once('end', () => this.destroy());
    this.resume();
  };
  if (!req.destroyed) req.resume();
}
