import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { DEFAULT_MAX_REQUEST_BODY_SIZE, MAX_BATCH_SIZE, requestBodyTooLargeMessage } from '@modelcontextprotocol/sdk/server/requestBody.js';
import { DEFAULT_SSE_KEEP_ALIVE_MS } from '@modelcontextprotocol/sdk/server/sseKeepAlive.js';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializeRequest, JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type MessageExtraInfo, type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { isAnswer, isRequest } from './jsonrpc-kind.js';
import { SseResponse } from './sse-response.js';

export interface LeanHttpTransportOptions {
  /** The session's id, asked for once, at its initialize request. */
  sessionIdGenerator: () => string;
  onsessioninitialized?: (sessionId: string) => void | Promise<void>;
  onsessionclosed?: (sessionId: string) => void | Promise<void>;
  /** Interval of the SSE keep-alive comments (the SDK's default, 15 s); 0 for none. */
  keepAliveMs?: number;
}

/** A refusal, answered as a JSON-RPC error with id null before anything else was written. */
class Refusal {
  constructor(readonly status: number, readonly code: number, readonly message: string, readonly data?: string, readonly headers?: Record<string, string>) {}
}

const SESSION_NOT_FOUND = new Refusal(404, -32001, 'Session not found');

/** The body of a request the host has not read (the session restore passes one), up to the SDK's limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  if (Number(req.headers['content-length']) > DEFAULT_MAX_REQUEST_BODY_SIZE) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DEFAULT_MAX_REQUEST_BODY_SIZE) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * MCP Streamable HTTP (stateful, SSE answers, no event store) written straight on node's request and
 * response. The SDK's own transport turns every exchange into a web-standard Request and Response through
 * @hono/node-server (a ReadableStream per answer), which costs several times what the rest of a no-op
 * call does; this one answers the same requests with the same status codes, JSON-RPC error codes and
 * messages (webStandardStreamableHttp.js of SDK 1.32, case by case), and hands the SDK's `Server` the
 * same messages and extra info. Resumption (Last-Event-ID) is not offered: it needs an event store, which
 * the host never configured.
 */
export class LeanHttpTransport implements Transport {
  sessionId: string | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private started = false;
  private initialized = false;
  private closed = false;
  /** The open stream of each request awaiting its answer. */
  private readonly streams = new Map<RequestId, SseResponse>();
  private standalone: SseResponse | undefined;
  private readonly keepAliveMs: number;

  constructor(private readonly options: LeanHttpTransportOptions) {
    this.keepAliveMs = options.keepAliveMs ?? DEFAULT_SSE_KEEP_ALIVE_MS;
  }

  /** Requests whose answer stream is still held (each is released with its answer; for tests and diagnostics). */
  get heldStreams(): number {
    return this.streams.size;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('Transport already started');
    this.started = true;
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    try {
      const refusal = this.closed ? SESSION_NOT_FOUND : await this.serve(req, res, parsedBody);
      if (refusal) this.refuse(res, refusal);
    } catch (err) {
      // As the SDK's HTTP adapter answers a handler that throws.
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  private serve(req: IncomingMessage, res: ServerResponse, parsedBody: unknown): Promise<Refusal | undefined> | Refusal | undefined {
    switch (req.method) {
      case 'POST': return this.post(req, res, parsedBody);
      case 'GET': return this.get(req, res);
      case 'DELETE': return this.delete(req, res);
      default: return new Refusal(405, -32000, 'Method not allowed.', undefined, { Allow: 'GET, POST, DELETE' });
    }
  }

  private async post(req: IncomingMessage, res: ServerResponse, parsedBody: unknown): Promise<Refusal | undefined> {
    try {
      const accept = req.headers.accept;
      if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) {
        return new Refusal(406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
      }
      if (!isJsonContentType(req.headers['content-type'])) {
        return new Refusal(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
      }
      let raw = parsedBody;
      if (raw === undefined) {
        let text: string | undefined;
        try {
          text = await readBody(req);
          if (text !== undefined) raw = JSON.parse(text);
        } catch {
          return new Refusal(400, -32700, 'Parse error: Invalid JSON');
        }
        if (text === undefined) return new Refusal(413, -32000, requestBodyTooLargeMessage(DEFAULT_MAX_REQUEST_BODY_SIZE));
      }
      if (Array.isArray(raw) && raw.length > MAX_BATCH_SIZE) {
        return new Refusal(400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
      }
      let messages: JSONRPCMessage[];
      try {
        messages = Array.isArray(raw) ? raw.map((m) => JSONRPCMessageSchema.parse(m)) : [JSONRPCMessageSchema.parse(raw)];
      } catch {
        return new Refusal(400, -32700, 'Parse error: Invalid JSON-RPC message');
      }
      if (this.closed) return SESSION_NOT_FOUND;
      // The method test first: the schema check it spares is most of the cost of a call's dispatch.
      const initializing = messages.some((m) => 'method' in m && m.method === 'initialize' && isInitializeRequest(m));
      if (initializing) {
        if (this.initialized && this.sessionId !== undefined) return new Refusal(400, -32600, 'Invalid Request: Server already initialized');
        if (messages.length > 1) return new Refusal(400, -32600, 'Invalid Request: Only one initialization request is allowed');
        this.sessionId = this.options.sessionIdGenerator();
        this.initialized = true;
        await this.options.onsessioninitialized?.(this.sessionId);
      } else {
        const refusal = this.checkSession(req) ?? this.checkProtocolVersion(req);
        if (refusal) return refusal;
      }
      if (this.closed) return SESSION_NOT_FOUND;
      this.dispatch(req, res, messages);
      return undefined;
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
      return new Refusal(400, -32700, 'Parse error', String(err));
    }
  }

  /** Notifications and responses only: 202 at once. Requests: an SSE stream that ends with their last answer. */
  private dispatch(req: IncomingMessage, res: ServerResponse, messages: JSONRPCMessage[]): void {
    const extra: MessageExtraInfo = { authInfo: (req as IncomingMessage & { auth?: AuthInfo }).auth, requestInfo: { headers: req.headers } };
    const requests = messages.filter(isRequest);
    if (requests.length === 0) {
      for (const message of messages) this.onmessage?.(message, extra);
      res.writeHead(202).end();
      return;
    }
    const stream: SseResponse = new SseResponse(res, this.sessionId, this.keepAliveMs, () => this.forget(stream));
    stream.pending = requests.length;
    for (const { id } of requests) this.streams.set(id, stream);
    try {
      for (const message of messages) this.onmessage?.(message, extra);
    } catch (err) {
      for (const { id } of requests) this.streams.delete(id);
      throw err;
    }
    if (stream.open) stream.openSoon();
  }

  private async get(req: IncomingMessage, res: ServerResponse): Promise<Refusal | undefined> {
    if (!req.headers.accept?.includes('text/event-stream')) {
      return new Refusal(406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    const refusal = this.checkSession(req) ?? this.checkProtocolVersion(req);
    if (refusal) return refusal;
    if (this.standalone) return new Refusal(409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    const stream: SseResponse = new SseResponse(res, this.sessionId, this.keepAliveMs, () => {
      if (this.standalone === stream) this.standalone = undefined;
    });
    this.standalone = stream;
    stream.openNow();
    return undefined;
  }

  private async delete(req: IncomingMessage, res: ServerResponse): Promise<Refusal | undefined> {
    const refusal = this.checkSession(req) ?? this.checkProtocolVersion(req);
    if (refusal) return refusal;
    try {
      // checkSession found the session initialized, so it has its id.
      await this.options.onsessionclosed?.(this.sessionId as string);
    } finally {
      await this.close();
    }
    res.writeHead(200).end();
    return undefined;
  }

  private checkSession(req: IncomingMessage): Refusal | undefined {
    if (!this.initialized) return new Refusal(400, -32000, 'Bad Request: Server not initialized');
    const id = req.headers['mcp-session-id'];
    if (!id) return new Refusal(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    return id === this.sessionId ? undefined : SESSION_NOT_FOUND;
  }

  /** A version the client names must be one the SDK supports; none means the negotiated one. */
  private checkProtocolVersion(req: IncomingMessage): Refusal | undefined {
    const version = req.headers['mcp-protocol-version'];
    if (version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(version as string)) return undefined;
    return new Refusal(400, -32000, `Bad Request: Unsupported protocol version: ${String(version)} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
  }

  private refuse(res: ServerResponse, refusal: Refusal): void {
    // The SDK reports every refusal but a closed session's to `onerror`.
    if (refusal !== SESSION_NOT_FOUND || !this.closed) this.onerror?.(new Error(refusal.message));
    const error = refusal.data === undefined ? { code: refusal.code, message: refusal.message } : { code: refusal.code, message: refusal.message, data: refusal.data };
    res.writeHead(refusal.status, { 'Content-Type': 'application/json', ...refusal.headers }).end(JSON.stringify({ jsonrpc: '2.0', error, id: null }));
  }

  /** A stream the client left: its requests' answers have nowhere to go. */
  private forget(stream: SseResponse): void {
    for (const [id, s] of this.streams) if (s === stream) this.streams.delete(id);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const answer = isAnswer(message);
    const requestId = answer ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (answer) throw new Error('Cannot send a response on a standalone SSE stream unless resuming a previous client request');
      this.standalone?.write(message);
      return;
    }
    const stream = this.streams.get(requestId);
    if (!stream) throw new Error(`No connection established for request ID: ${String(requestId)}`);
    if (!answer) return stream.write(message);
    this.streams.delete(requestId);
    if (--stream.pending === 0) stream.end(message);
    else stream.write(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stream of new Set(this.streams.values())) stream.end();
    this.streams.clear();
    this.standalone?.end();
    this.standalone = undefined;
    this.onclose?.();
  }
}
