import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The headers the SDK's Streamable HTTP transport sends with every SSE stream. */
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/**
 * How long an answer may take before the headers of its stream go out alone. An answer ready sooner leaves
 * in one write with its headers and a Content-Length (as the SDK's HTTP adapter does for an answer ready
 * at once); a slower one lets the client see its stream open meanwhile.
 */
const HEADER_WAIT_MS = 50;

const eventOf = (message: JSONRPCMessage): string => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

/**
 * One SSE stream written straight to node's response: a POST's answers, or the session's GET stream.
 * A comment every `keepAliveMs` keeps proxies from cutting a quiet stream. `onGone` runs once when the
 * client hangs up before the stream was ended here.
 */
export class SseResponse {
  /** Requests of this stream still to be answered (a POST stream ends with its last answer). */
  pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly sessionId: string | undefined,
    private readonly keepAliveMs: number,
    onGone: () => void,
  ) {
    res.once('close', () => {
      this.stopTimer();
      if (this.ended) return;
      this.ended = true;
      onGone();
    });
  }

  /** Whether messages can still be written (not ended here, client still there). */
  get open(): boolean {
    return !this.ended;
  }

  /** Sends the headers now (the GET stream: the client waits for them before it listens). */
  openNow(): void {
    this.head();
    this.res.flushHeaders();
    this.arm(this.keepAliveMs);
  }

  /** Sends the headers alone if no answer came within HEADER_WAIT_MS. */
  openSoon(): void {
    this.arm(HEADER_WAIT_MS);
  }

  write(message: JSONRPCMessage): void {
    if (this.ended) return;
    this.head();
    this.res.write(eventOf(message));
  }

  /** Ends the stream, with a last message when given. */
  end(message?: JSONRPCMessage): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimer();
    this.head();
    if (message) this.res.end(eventOf(message));
    else this.res.end();
  }

  private head(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, this.sessionId === undefined ? SSE_HEADERS : { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
  }

  private arm(ms: number): void {
    if (!Number.isFinite(ms) || ms < 1) return;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    if (this.ended) return;
    if (this.res.headersSent) this.res.write(': keepalive\n\n');
    else {
      this.head();
      this.res.flushHeaders();
    }
    this.arm(this.keepAliveMs);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
