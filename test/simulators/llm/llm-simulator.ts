import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ParsedLlmRequest, ProviderRefusal, SimulatorDialect, StreamFraming } from './llm-dialect.js';
import { ReplyScript, type LlmFault, type ResolvedReply, type ScriptedReply } from './scripted-reply.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';

/** How a response ended. */
export type LlmResponseEnding =
  | 'completed'
  | 'refused'
  | 'error-event'
  | 'dropped'
  /** The client closed the connection first: an abort or a client-side timeout. */
  | 'client-closed'
  | 'server-stopped';

/** One request as the simulator received it, and what became of its response. */
export interface RecordedLlmRequest {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The JSON body; null when it did not parse. */
  body: unknown;
  /** Null when the request was refused before it was parsed. */
  parsed: ParsedLlmRequest | null;
  refused: { status: number; errorType: string } | null;
  tokensSent: number;
  /** Null while the response is still open. */
  ending: LlmResponseEnding | null;
  /** The client closed the connection before the response was complete. */
  clientAborted: boolean;
}

export interface LlmSimulatorOptions {
  /** Default pause before the first token, in ms. Default 0. */
  firstTokenDelayMs?: number;
  /** Default pause between tokens, in ms. Default 0. */
  tokenDelayMs?: number;
  /** The reply once the script runs out. Default: an echo of the last user message. */
  defaultReply?: (lastUserText: string) => string;
}

/**
 * A loopback chat-completion server whose wire format comes from a dialect (OpenAI, Anthropic). Replies are
 * scripted per request, streamed token by token with the scripted timing, and can fail as real providers do.
 */
export class LlmSimulator {
  /** Every request received, oldest first, refused ones included. */
  readonly requests: RecordedLlmRequest[] = [];
  private readonly script: ReplyScript;
  private readonly finishedBy = new WeakMap<RecordedLlmRequest, Promise<void>>();
  private server: Server | null = null;
  private url: string | null = null;
  private stopping = false;

  constructor(
    private readonly dialect: SimulatorDialect,
    options: LlmSimulatorOptions = {},
  ) {
    this.script = new ReplyScript({
      firstTokenDelayMs: options.firstTokenDelayMs ?? 0,
      tokenDelayMs: options.tokenDelayMs ?? 0,
      reply: options.defaultReply ?? ((heard) => `You said: ${heard || 'nothing'}. This is the simulator.`),
    });
  }

  /** `http://127.0.0.1:<port>`; only valid after `start()`. */
  get origin(): string {
    if (!this.url) throw new Error('The LLM simulator is not started');
    return this.url;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.stopping = false;
    ({ server: this.server, url: this.url } = await listenOnLoopback('LLM simulator', (req, res) => this.handle(req, res), (res) => res.writeHead(500).end()));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.stopping = true;
    await closeNow(server);
  }

  /** Forgets the recorded requests and the remaining script. */
  reset(): void {
    this.requests.length = 0;
    this.script.clear();
  }

  /** Replies for the next requests, one each, in order. */
  enqueue(...replies: ScriptedReply[]): void {
    this.script.push(...replies);
  }

  /** The next request meets this fault (with the default reply's tokens, for faults that stream some first). */
  failNext(fault: LlmFault): void {
    this.script.push({ fault });
  }

  lastRequest(): RecordedLlmRequest | null {
    return this.requests[this.requests.length - 1] ?? null;
  }

  /** Resolves true once the response to `request` has ended, however; false if it is still open after `timeoutMs`. */
  async finished(request: RecordedLlmRequest, timeoutMs = 2000): Promise<boolean> {
    const done = this.finishedBy.get(request);
    if (!done) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([done.then((): true => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const headers = flattenHeaders(req);
    const record: RecordedLlmRequest = {
      method: (req.method ?? 'GET').toUpperCase(), path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname, headers,
      body: parseJson(rawBody), parsed: null, refused: null, tokensSent: 0, ending: null, clientAborted: false,
    };
    this.requests.push(record);
    this.finishedBy.set(record, new Promise<void>((resolve) => {
      res.on('close', () => {
        if (record.ending === null) {
          record.ending = this.stopping ? 'server-stopped' : 'client-closed';
          record.clientAborted = !this.stopping;
        }
        resolve();
      });
    }));

    const requestId = this.dialect.newRequestId();
    if (record.method === 'GET' && record.path === '/v1/models' && this.dialect.listModels) {
      const listed = this.dialect.listModels({ method: record.method, path: record.path, headers, rawBody });
      if ('refusal' in listed) this.refuse(res, record, listed.refusal, requestId);
      else {
        record.ending = 'completed';
        sendJson(res, 200, listed.body, { [this.dialect.requestIdHeader]: requestId });
      }
      return;
    }
    const verdict = this.dialect.accept({ method: record.method, path: record.path, headers, rawBody });
    if ('refusal' in verdict) {
      this.refuse(res, record, verdict.refusal, requestId);
      return;
    }
    record.parsed = verdict.request;
    const lastUser = [...verdict.request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const reply = this.script.next(lastUser);
    const fault = reply.fault;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop' && fault.afterTokens === undefined) {
      record.ending = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      this.refuse(res, record, this.dialect.faultRefusal(fault), requestId);
      return;
    }
    if (verdict.request.stream) await this.stream(req, res, record, reply, requestId);
    else await this.complete(req, res, record, reply, requestId);
  }

  private async stream(req: IncomingMessage, res: ServerResponse, record: RecordedLlmRequest, reply: ResolvedReply, requestId: string): Promise<void> {
    const request = record.parsed as ParsedLlmRequest;
    const { tokens, stop } = withinMaxTokens(reply.tokens, request.maxTokens);
    const framing: StreamFraming = this.dialect.streamFraming(request, requestId);
    res.writeHead(200, {
      'content-type': framing.contentType ?? 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      [this.dialect.requestIdHeader]: requestId,
    });
    res.write(framing.begin());
    await pause(res, reply.firstTokenDelayMs);
    const fault = reply.fault;
    const faultAt = fault && 'afterTokens' in fault && fault.afterTokens !== undefined ? Math.min(fault.afterTokens, tokens.length) : -1;
    for (let index = 0; index <= tokens.length; index += 1) {
      if (isClosed(res)) return;
      if (index === faultAt && fault) {
        this.strike(req, res, record, fault, framing);
        return;
      }
      if (index === tokens.length) break;
      if (index > 0) await pause(res, reply.tokenDelayMs);
      if (isClosed(res)) return;
      res.write(framing.token(tokens[index] ?? '', index));
      record.tokensSent += 1;
    }
    record.ending = 'completed';
    res.end(framing.end(stop, record.tokensSent));
  }

  /** A fault part-way through a stream. */
  private strike(req: IncomingMessage, res: ServerResponse, record: RecordedLlmRequest, fault: LlmFault, framing: StreamFraming): void {
    const errorEvent = fault.kind === 'error-mid-stream' ? framing.error(fault.errorType, fault.message) : null;
    if (errorEvent !== null) {
      record.ending = 'error-event';
      res.end(errorEvent);
    } else if (fault.kind === 'drop' || fault.kind === 'error-mid-stream') {
      record.ending = 'dropped';
      destroyAfterFlush(req);
    }
    // 'stall': nothing more is written; the connection stays open until the client gives up.
  }

  private async complete(req: IncomingMessage, res: ServerResponse, record: RecordedLlmRequest, reply: ResolvedReply, requestId: string): Promise<void> {
    const request = record.parsed as ParsedLlmRequest;
    const fault = reply.fault;
    if (fault?.kind === 'stall') return;
    await pause(res, reply.firstTokenDelayMs + reply.tokenDelayMs * Math.max(0, reply.tokens.length - 1));
    if (isClosed(res)) return;
    if (fault?.kind === 'drop') {
      record.ending = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'error-mid-stream') {
      this.refuse(res, record, this.dialect.midStreamRefusal(fault), requestId);
      return;
    }
    const { tokens, stop } = withinMaxTokens(reply.tokens, request.maxTokens);
    record.tokensSent = tokens.length;
    record.ending = 'completed';
    sendJson(res, 200, this.dialect.completion(request, tokens, stop, requestId), { [this.dialect.requestIdHeader]: requestId });
  }

  private refuse(res: ServerResponse, record: RecordedLlmRequest, refusal: ProviderRefusal, requestId: string): void {
    record.refused = { status: refusal.status, errorType: refusal.errorType };
    record.ending = 'refused';
    const headers: Record<string, string> = { [this.dialect.requestIdHeader]: requestId };
    if (refusal.retryAfterSeconds !== undefined) headers['retry-after'] = String(refusal.retryAfterSeconds);
    sendJson(res, refusal.status, this.dialect.refusalBody(refusal, requestId), headers);
  }
}

function withinMaxTokens(tokens: string[], maxTokens: number | null): { tokens: string[]; stop: 'end' | 'max_tokens' } {
  if (maxTokens === null || tokens.length <= maxTokens) return { tokens, stop: 'end' };
  return { tokens: tokens.slice(0, maxTokens), stop: 'max_tokens' };
}

/** Cuts the connection once what was already written has left the process, as a mid-stream failure would. */
function destroyAfterFlush(req: IncomingMessage): void {
  const socket = req.socket;
  const started = Date.now();
  const poll = () => {
    if (socket.writableLength === 0 || Date.now() - started > 500) setTimeout(() => socket.destroy(), 5);
    else setTimeout(poll, 2);
  };
  poll();
}

function isClosed(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded;
}

/** Waits `ms`, or less if the connection closes meanwhile. */
function pause(res: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0 || isClosed(res)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
