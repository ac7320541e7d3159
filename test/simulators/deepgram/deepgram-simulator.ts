import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';
import { DEFAULT_ENDPOINTING_MS, DeepgramSession, type ListenOptions } from './deepgram-session.js';

export interface DeepgramSimulatorOptions {
  /** Default: random hex. */
  apiKey?: string;
}

/** Refusals of the upgrade, as Deepgram answers them. */
type UpgradeFault = { status: 401 | 429 | 503 };

const ENCODINGS = new Set(['mulaw', 'linear16']);

function bool(value: string | undefined): boolean {
  return value === 'true';
}

/**
 * A loopback stand-in for Deepgram's live transcription API (`wss://api.deepgram.com/v1/listen`). It checks
 * `Authorization: Token <key>` and the query on the upgrade (401 / 400 like Deepgram), and hears real
 * audio: each utterance it finds in the stream is reported as the next text of its script (`hear`).
 */
export class DeepgramSimulator {
  readonly apiKey: string;
  /** Paths of REST requests received (the WebSocket upgrades are in `upgrades`). */
  readonly restRequests: string[] = [];
  readonly sessions: DeepgramSession[] = [];
  /** Upgrade requests, refused ones included. */
  readonly upgrades: Array<{ path: string; query: Record<string, string>; status: number }> = [];
  private readonly script: string[] = [];
  private readonly faults: UpgradeFault[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: DeepgramSimulatorOptions = {}) {
    this.apiKey = options.apiKey ?? randomBytes(20).toString('hex');
  }

  /** `ws://127.0.0.1:<port>`: the adapter's `baseUrl`. */
  get baseUrl(): string {
    if (!this.url) throw new Error('DeepgramSimulator is not started');
    return this.url;
  }

  /** The next utterances are heard as these texts, in order (unscripted speech is heard as nothing). */
  hear(...texts: string[]): void {
    this.script.push(...texts);
  }

  /** The next upgrade is refused with this status. */
  refuseNext(status: UpgradeFault['status']): void {
    this.faults.push({ status });
  }

  /** Every open stream loses its connection. */
  dropAll(): void {
    for (const session of this.sessions) if (!session.closedBy) session.drop();
  }

  async start(): Promise<void> {
    const { server, url } = await listenOnLoopback('deepgram simulator', async (req, res) => this.rest(req, res), (res) => res.writeHead(500).end());
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server = server;
    this.url = url.replace(/^http/, 'ws');
  }

  /** REST: `GET /v1/projects` (the key's projects, what a credential check reads), refused with 401 for a wrong key. */
  private rest(req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'GET' || path !== '/v1/projects') return json(404, { err_code: 'NOT_FOUND', err_msg: 'Only GET /v1/projects and /v1/listen (WebSocket) are simulated.' });
    this.restRequests.push(path);
    if (req.headers.authorization !== `Token ${this.apiKey}`) {
      return json(401, { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.', request_id: randomBytes(16).toString('hex') });
    }
    json(200, { projects: [{ project_id: 'b2c3d4e5-0000-4000-8000-000000000001', name: 'Simulated project' }] });
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    if (this.server) await closeNow(this.server);
    this.server = null;
  }

  reset(): void {
    this.dropAll();
    this.sessions.length = 0;
    this.restRequests.length = 0;
    this.upgrades.length = 0;
    this.script.length = 0;
    this.faults.length = 0;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const refuse = (status: number, body: Record<string, unknown>) => {
      this.upgrades.push({ path: url.pathname, query, status });
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 400 ? 'Bad Request' : status === 429 ? 'Too Many Requests' : status === 404 ? 'Not Found' : 'Service Unavailable'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    if (url.pathname !== '/v1/listen') return refuse(404, { err_code: 'NOT_FOUND', err_msg: 'Not found.' });
    const fault = this.faults.shift();
    if (fault?.status === 401 || req.headers.authorization !== `Token ${this.apiKey}`) {
      return refuse(401, { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.', request_id: randomBytes(16).toString('hex') });
    }
    if (fault) return refuse(fault.status, { err_code: fault.status === 429 ? 'TOO_MANY_REQUESTS' : 'SERVICE_UNAVAILABLE', err_msg: 'Simulated refusal.' });
    const encoding = query.encoding ?? '';
    const sampleRate = Number(query.sample_rate);
    if (!ENCODINGS.has(encoding) || !Number.isInteger(sampleRate) || sampleRate <= 0) {
      return refuse(400, { err_code: 'INVALID_QUERY_PARAMETER', err_msg: 'Raw audio needs a known encoding and a sample_rate.' });
    }
    const endpointing = query.endpointing;
    const options: ListenOptions = {
      model: query.model ?? 'base',
      encoding: encoding as ListenOptions['encoding'],
      sampleRate,
      interimResults: bool(query.interim_results),
      endpointingMs: endpointing === 'false' ? false : endpointing !== undefined ? Number(endpointing) : DEFAULT_ENDPOINTING_MS,
      utteranceEndMs: query.utterance_end_ms !== undefined ? Number(query.utterance_end_ms) : null,
      vadEvents: bool(query.vad_events),
      language: query.language ?? 'en',
      query,
    };
    if (options.utteranceEndMs !== null && !options.interimResults) {
      return refuse(400, { err_code: 'INVALID_QUERY_PARAMETER', err_msg: 'utterance_end_ms requires interim_results=true.' });
    }
    this.upgrades.push({ path: url.pathname, query, status: 101 });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sessions.push(new DeepgramSession(ws, options, () => this.script.shift() ?? ''));
    });
  }
}
