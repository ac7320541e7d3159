import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { silentMp3 } from '../../../adapters/audio/silent-mp3.js';
import { edgeAudioFrame, edgeTextFrame, parseEdgeTextMessage, readSsml } from './edge-message-frames.js';
import { isCurrentSecMsGec, TRUSTED_CLIENT_TOKEN } from './sec-ms-gec.js';

export const EDGE_SYNTHESIS_PATH = '/consumer/speech/synthesize/readaloud/edge/v1';

/** Output formats the Read Aloud service still answers (MP3 at 24 kHz), with their bitrate. */
const MP3_FORMATS: Readonly<Record<string, number>> = {
  'audio-24khz-48kbitrate-mono-mp3': 48,
  'audio-24khz-96kbitrate-mono-mp3': 96,
};
const MS_PER_CHARACTER = 65;
/** Audio bytes per binary frame (the service sends a few MPEG frames per message). */
const AUDIO_CHUNK_BYTES = 1440;

export const DEFAULT_EDGE_VOICES: readonly string[] = ['en-US-AriaNeural', 'en-US-GuyNeural', 'en-GB-SoniaNeural', 'fr-FR-DeniseNeural'];

export interface EdgeConnection {
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
}

export interface EdgeSynthesis {
  requestId: string;
  voice: string | null;
  text: string;
  outputFormat: string | null;
  /** The audio sent (empty for an unknown voice, as the service sends none). */
  bytes: Uint8Array;
}

type Fault = { kind: 'refuse'; status: number } | { kind: 'hang' } | { kind: 'closeMidStream' };

export interface EdgeTtsSimulatorOptions {
  voices?: readonly string[];
  now?: () => Date;
}

/**
 * A loopback stand-in for Edge's Read Aloud WebSocket (`speech.platform.bing.com`): checks the client token
 * and Sec-MS-GEC at the upgrade, takes `speech.config` and `ssml` messages and answers `turn.start`,
 * `response`, binary MP3 `audio` frames and `turn.end`, each carrying the request's X-RequestId.
 */
export class EdgeTtsSimulator {
  readonly voices: readonly string[];
  readonly connections: EdgeConnection[] = [];
  readonly syntheses: EdgeSynthesis[] = [];
  /** Upgrades refused for a bad token (or by `refuseNext`). */
  readonly refusedUpgrades: { status: number; reason: string }[] = [];

  private readonly now: () => Date;
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private server: Server | null = null;
  private origin: string | null = null;

  constructor(options: EdgeTtsSimulatorOptions = {}) {
    this.voices = options.voices ?? DEFAULT_EDGE_VOICES;
    this.now = options.now ?? (() => new Date());
  }

  /** `ws://127.0.0.1:<port>/consumer/speech/synthesize/readaloud/edge/v1`, for `MsEdgeTTS.WSS_URL`. */
  get wssUrl(): string {
    if (!this.origin) throw new Error('EdgeTtsSimulator is not started');
    return `${this.origin}${EDGE_SYNTHESIS_PATH}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.origin = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const socket of this.sockets) socket.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  reset(): void {
    this.connections.length = 0;
    this.syntheses.length = 0;
    this.refusedUpgrades.length = 0;
    this.faults.length = 0;
  }

  /** The next connection attempt is refused at the upgrade with this HTTP status (default 503). */
  refuseNext(status = 503): void {
    this.faults.push({ kind: 'refuse', status });
  }

  /** The next synthesis request is read and never answered. */
  hangNext(): void {
    this.faults.push({ kind: 'hang' });
  }

  /** The next synthesis sends turn.start and part of the audio, then the connection drops (no turn.end). */
  closeMidStreamNext(): void {
    this.faults.push({ kind: 'closeMidStream' });
  }

  private takeFault(kinds: Fault['kind'][]): Fault | null {
    const index = this.faults.findIndex((fault) => kinds.includes(fault.kind));
    return index === -1 ? null : (this.faults.splice(index, 1)[0] ?? null);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, reason: string) => {
      this.refusedUpgrades.push({ status, reason });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    const fault = this.takeFault(['refuse']);
    if (fault?.kind === 'refuse') return refuse(fault.status, 'Service Unavailable');
    if (url.pathname !== EDGE_SYNTHESIS_PATH) return refuse(404, 'Not Found');
    if (url.searchParams.get('TrustedClientToken') !== TRUSTED_CLIENT_TOKEN) return refuse(403, 'Forbidden');
    // The service refuses a stale or forged Sec-MS-GEC with 403: it is what blocks outdated clients.
    if (!isCurrentSecMsGec(url.searchParams.get('Sec-MS-GEC'), this.now())) return refuse(403, 'Forbidden');

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), headers: flattenHeaders(req) });
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      this.serve(ws);
    });
  }

  private serve(ws: WebSocket): void {
    let outputFormat: string | null = null;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const message = parseEdgeTextMessage(rawText(data));
      const path = message.headers.path;
      if (path === 'speech.config') {
        outputFormat = readOutputFormat(message.body);
        return;
      }
      if (path !== 'ssml') return;
      const requestId = message.headers['x-requestid'];
      if (!requestId) return ws.close(1007, 'Missing X-RequestId');
      if (!outputFormat || MP3_FORMATS[outputFormat] === undefined) return ws.close(1007, 'Unsupported output format');
      this.answer(ws, requestId, outputFormat, readSsml(message.body));
    });
  }

  private answer(ws: WebSocket, requestId: string, outputFormat: string, ssml: { voice: string | null; text: string }): void {
    const fault = this.takeFault(['hang', 'closeMidStream']);
    const known = ssml.voice !== null && this.voices.includes(ssml.voice);
    const bytes = known
      ? silentMp3({ durationMs: Math.max(1, [...ssml.text].length) * MS_PER_CHARACTER, sampleRate: 24000, bitrateKbps: MP3_FORMATS[outputFormat] ?? 48 })
      : new Uint8Array(0);
    this.syntheses.push({ requestId, voice: ssml.voice, text: ssml.text, outputFormat, bytes });
    if (fault?.kind === 'hang') return;

    const serviceTag = randomBytes(16).toString('hex');
    const streamId = randomBytes(16).toString('hex').toUpperCase();
    ws.send(edgeTextFrame(requestId, 'turn.start', { context: { serviceTag } }));
    ws.send(edgeTextFrame(requestId, 'response', { context: { serviceTag }, audio: { type: 'inline', streamId } }));
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += AUDIO_CHUNK_BYTES) chunks.push(bytes.subarray(offset, offset + AUDIO_CHUNK_BYTES));
    if (fault?.kind === 'closeMidStream') {
      for (const chunk of chunks.slice(0, Math.max(1, Math.floor(chunks.length / 2)))) ws.send(edgeAudioFrame(requestId, streamId, chunk));
      // An abrupt drop (no close frame), as when the service or the network gives up.
      setTimeout(() => ws.terminate(), 10);
      return;
    }
    for (const chunk of chunks) ws.send(edgeAudioFrame(requestId, streamId, chunk));
    // An unknown voice gets a turn without audio: the service sends no error, only silence.
    ws.send(edgeTextFrame(requestId, 'turn.end', {}));
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

function readOutputFormat(body: string): string | null {
  try {
    const config = JSON.parse(body) as { context?: { synthesis?: { audio?: { outputFormat?: unknown } } } };
    const format = config.context?.synthesis?.audio?.outputFormat;
    return typeof format === 'string' ? format.trim() : null;
  } catch {
    return null;
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
