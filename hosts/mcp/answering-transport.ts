import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import {
  ErrorCode, isJSONRPCNotification, isJSONRPCRequest,
  type InitializeRequest, type JSONRPCMessage, type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { DomainError } from '../../ports/errors.js';
import { errorBody } from '../shared/error-mapping.js';
import { isAnswer } from './jsonrpc-kind.js';
import { LeanHttpTransport, type LeanHttpTransportOptions } from './lean-http-transport.js';

interface InFlight {
  id: RequestId;
  deadline: NodeJS.Timeout;
}

/** 1 and "1" are different JSON-RPC ids. */
const keyOf = (id: RequestId): string => `${typeof id}:${String(id)}`;

function messagesOf(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [body];
}

/** A JSON-RPC error; `data` carries our error body (code, nextStep) when there is one. */
function jsonRpcError(id: RequestId, code: number, error: DomainError | string): JSONRPCMessage {
  if (typeof error === 'string') return { jsonrpc: '2.0', id, error: { code, message: error } };
  return { jsonrpc: '2.0', id, error: { code, message: error.message, data: errorBody(error).error } };
}

/** JSON-RPC code of a request cancelled by its client (as in LSP; MCP names none). */
const REQUEST_CANCELLED = -32800;

const timedOut = (ms: number) => new DomainError(
  'RESPONSE_TIMEOUT', `No answer within ${ms} ms.`,
  'A send may still complete: check with comms_get_messages, or retry with the same idempotencyKey (nothing is sent twice).', { timeoutMs: ms },
);
const sessionClosed = () => new DomainError(
  'SESSION_CLOSED', 'The MCP session was closed before this request was answered.',
  'Open a new session; check with comms_get_messages, or retry a send with the same idempotencyKey (nothing is sent twice).',
);

/**
 * The Streamable HTTP transport (lean-http-transport.ts), with the promise that every request gets exactly one answer:
 * - an id already in flight in this session is refused at once (HTTP 409, JSON-RPC error), since the transport
 *   would route both answers to the second request and leave the first one waiting forever;
 * - a request unanswered after `deadlineMs` is answered with a JSON-RPC error;
 * - requests in flight when the session closes are answered before it closes (the transport drops them).
 * A request answered here is also cancelled for the protocol layer, which then drops its handler's late
 * result, so that result can never reach a newer request reusing the id (the SDK cannot cancel id 0, the
 * initialize request's, which answers at once).
 */
export class AnsweringTransport extends LeanHttpTransport {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(options: LeanHttpTransportOptions, private readonly deadlineMs: number) {
    super(options);
  }

  private openGetStreams = 0;
  private listeningHandler: ((listening: boolean) => Promise<void>) | null = null;

  /** Requests of this session that have no answer yet. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Whether the client holds the standalone GET stream open (where resource notifications go). */
  get listening(): boolean {
    return this.openGetStreams > 0;
  }

  /**
   * Tells `handler` when the client's GET stream opens here (awaited before the stream is answered, so what it
   * sets up is in place once the client has its stream) and when it closes. One handler; the last set wins.
   */
  onListeningChange(handler: (listening: boolean) => Promise<void>): void {
    this.listeningHandler = handler;
  }

  override async handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    if (req.method === 'DELETE') await this.answerAll(sessionClosed());
    if (req.method === 'GET') {
      res.once('close', () => {
        if (--this.openGetStreams === 0) void this.listeningHandler?.(false);
      });
      if (this.openGetStreams++ === 0) await this.listeningHandler?.(true);
    }
    if (req.method !== 'POST') return super.handleRequest(req, res, parsedBody);
    const messages = messagesOf(parsedBody);
    const requests = messages.filter(isJSONRPCRequest);
    const busy = requests.find((r, i) => this.inFlight.has(keyOf(r.id)) || requests.findIndex((o) => keyOf(o.id) === keyOf(r.id)) !== i);
    if (busy) {
      const error = new DomainError('REQUEST_ID_IN_FLIGHT', `Request id ${String(busy.id)} is still being answered in this session.`, 'Give each request its own id.', { id: String(busy.id) });
      res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify(jsonRpcError(busy.id, ErrorCode.InvalidRequest, error)));
      return;
    }
    for (const { id } of requests) this.admit(id);
    // A request whose HTTP exchange ends unanswered (the client hung up) is cancelled for the protocol
    // layer, so its late result is dropped quietly and its id can be used again.
    res.once('close', () => {
      for (const { id } of requests) if (this.inFlight.has(keyOf(id))) this.cancel(id, 'client closed the request');
    });
    await super.handleRequest(req, res, parsedBody);
    // A client cancellation: the SDK drops the request without answering, which would leave its HTTP
    // stream open until the deadline. The client ignores this answer; it ends the stream and the bookkeeping.
    for (const message of messages) {
      // The method test first: the body is not parsed yet here, and the schema check it spares is a zod parse.
      if ((message as { method?: unknown } | null)?.method === 'notifications/cancelled' && isJSONRPCNotification(message)) {
        const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (id !== undefined) await this.answer(id, REQUEST_CANCELLED, 'Request cancelled by the client.');
      }
    }
  }

  override async send(message: JSONRPCMessage, options?: { relatedRequestId?: RequestId }): Promise<void> {
    // From the SDK's protocol layer: a well-formed message, told apart by its keys.
    if (isAnswer(message)) {
      const entry = message.id === undefined ? undefined : this.inFlight.get(keyOf(message.id));
      // Already answered (deadline, cancellation, session closed): the late result has no reader.
      if (!entry) return;
      this.settle(entry);
    }
    return super.send(message, options);
  }

  override async close(): Promise<void> {
    await this.answerAll(sessionClosed());
    return super.close();
  }

  /**
   * Brings a session another instance opened into the initialized state here, through the SDK's own path:
   * the session's initialize request is replayed (the transport takes the id from `sessionIdGenerator`, the
   * Server the client's capabilities and version, as at the start), and its answer, written to a detached
   * response, is dropped: the client had it long ago. Call before any request of the session.
   */
  async restore(params: InitializeRequest['params']): Promise<void> {
    const req = new IncomingMessage(new Socket());
    req.method = 'POST';
    req.url = '/mcp';
    const headers = { host: 'localhost', accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    req.headers = headers;
    req.rawHeaders = Object.entries(headers).flat();
    const res = new ServerResponse(req);
    const initialize = { jsonrpc: '2.0', id: `restore:${randomUUID()}`, method: 'initialize', params };
    await this.handleRequest(req, res, initialize);
    if (res.statusCode !== 200) throw new Error(`restoring the MCP session failed with HTTP ${res.statusCode}`);
  }

  private admit(id: RequestId): void {
    const deadline = setTimeout(() => void this.expire(id), this.deadlineMs);
    deadline.unref();
    this.inFlight.set(keyOf(id), { id, deadline });
  }

  private settle(entry: InFlight): void {
    clearTimeout(entry.deadline);
    this.inFlight.delete(keyOf(entry.id));
  }

  private async expire(id: RequestId): Promise<void> {
    if (!this.inFlight.has(keyOf(id))) return;
    this.tellProtocolCancelled(id, 'response deadline');
    await this.answer(id, ErrorCode.RequestTimeout, timedOut(this.deadlineMs));
  }

  private cancel(id: RequestId, reason: string): void {
    const entry = this.inFlight.get(keyOf(id));
    if (!entry) return;
    this.settle(entry);
    this.tellProtocolCancelled(id, reason);
  }

  /** The protocol layer aborts the handler's signal and drops its result, as for a client's cancellation. */
  private tellProtocolCancelled(id: RequestId, reason: string): void {
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
  }

  private async answer(id: RequestId, code: number, error: DomainError | string): Promise<void> {
    const entry = this.inFlight.get(keyOf(id));
    if (!entry) return;
    this.settle(entry);
    try {
      await super.send(jsonRpcError(id, code, error));
    } catch {
      // Its HTTP stream is already gone: nobody is left to answer.
    }
  }

  private async answerAll(error: DomainError): Promise<void> {
    const ids = [...this.inFlight.values()].map((e) => e.id);
    for (const id of ids) this.tellProtocolCancelled(id, 'session closed');
    await Promise.all(ids.map((id) => this.answer(id, ErrorCode.ConnectionClosed, error)));
  }
}
