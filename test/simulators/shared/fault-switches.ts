import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from './fault-queue.js';

/**
 * The fault switches of a simulator: tests arm failures, the request handler plays them before anything else.
 * Subclasses answer a `fail` in their provider's own error format.
 */
export abstract class FaultSwitches {
  protected readonly faults = new FaultQueue();

  /** The next `times` requests (default 1) get this HTTP error in the provider's error body; 429 may carry Retry-After. */
  failNext(fault: { status: 401 | 429 | 500 | 503; retryAfterSeconds?: number; times?: number }): void {
    this.faults.add({ kind: 'fail', status: fault.status, retryAfterSeconds: fault.retryAfterSeconds }, fault.times ?? 1);
  }

  /** The next `times` requests (default 1) are read and never answered: the client must time out. */
  hangNext(options: { times?: number } = {}): void {
    this.faults.add({ kind: 'hang' }, options.times ?? 1);
  }

  /** The next `times` requests (default 1) have their socket destroyed after being read. */
  dropNext(options: { times?: number } = {}): void {
    this.faults.add({ kind: 'drop' }, options.times ?? 1);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The provider's answer to an armed `fail`, with `Retry-After` in `headers` when armed. */
  protected abstract answerFault(res: ServerResponse, status: number, headers: Record<string, string>): void;

  /** Plays the next armed fault on this request; true when the request is taken care of (answered, hung or dropped). */
  protected playFault(req: IncomingMessage, res: ServerResponse): boolean {
    const fault = this.faults.take();
    if (!fault) return false;
    if (fault.kind === 'drop') req.socket.destroy();
    if (fault.kind === 'fail') {
      this.answerFault(res, fault.status, fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {});
    }
    return true;
  }
}

/** A request as simulators record it: method, path, lower-cased headers and the raw body. */
export interface ReadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

export async function readRequest(req: IncomingMessage): Promise<ReadRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
    headers,
    rawBody: Buffer.concat(chunks).toString('utf8'),
  };
}
