import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { encodeForOutputFormat } from './elevenlabs-audio-encoding.js';
import { elevenLabsErrors, type ElevenLabsErrorAnswer } from './elevenlabs-error-body.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';

export interface SimulatedVoice {
  voice_id: string;
  name: string;
}

export interface ElevenLabsSimulatorOptions {
  /** Default: random `sk_…`. */
  apiKey?: string;
  /** A second key restricted to text-to-speech (no voices_read): it may synthesize, and anything else is refused. */
  ttsOnlyApiKey?: string;
  /** Default: three premade voices (George, Rachel, Sarah). */
  voices?: SimulatedVoice[];
  /** Model ids and their character limit per request. Default: the current models and their documented limits. */
  models?: Record<string, number>;
}

export interface RecordedElevenLabsRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** Parsed JSON body (undefined when absent or not JSON). */
  body: unknown;
}

export interface SimulatedSynthesis {
  voiceId: string;
  text: string;
  modelId: string;
  outputFormat: string;
  streamed: boolean;
  bytes: Uint8Array;
}

type Fault =
  | { kind: 'fail'; status: 500 | 502 | 503 | 429; retryAfterSeconds?: number }
  | { kind: 'hang' }
  | { kind: 'drop' }
  | { kind: 'truncate' };

export const DEFAULT_ELEVENLABS_VOICES: readonly SimulatedVoice[] = [
  { voice_id: 'JBFqnCBsd6RMkjVDRZzb', name: 'George' },
  { voice_id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel' },
  { voice_id: 'EXAVITQu4vr4xnSDxMaL', name: 'Sarah' },
];

export const DEFAULT_ELEVENLABS_MODELS: Readonly<Record<string, number>> = {
  eleven_multilingual_v2: 10_000,
  eleven_flash_v2_5: 40_000,
  eleven_turbo_v2_5: 40_000,
  eleven_v3: 5_000,
};

const DEFAULT_MODEL = 'eleven_multilingual_v2';
const DEFAULT_OUTPUT_FORMAT = 'mp3_44100_128';
const TTS_PATH = /^\/v1\/text-to-speech\/([^/]+)(\/stream)?$/;
const VOICE_PATH = /^\/v1\/voices\/([^/]+)$/;
/** Streamed answers go out in pieces this big, as the real API streams while it renders. */
const STREAM_CHUNK_BYTES = 4096;

/**
 * A loopback stand-in for api.elevenlabs.io (text-to-speech, voices, models) that answers with real audio
 * bytes of the asked `output_format` and ElevenLabs-shaped errors. Tests drive `@elevenlabs/elevenlabs-js` against it.
 */
export class ElevenLabsSimulator {
  readonly apiKey: string;
  readonly ttsOnlyApiKey: string | null;
  readonly voices: readonly SimulatedVoice[];
  readonly models: Readonly<Record<string, number>>;
  /** Every request received, faults included. */
  readonly requests: RecordedElevenLabsRequest[] = [];
  /** Every successful synthesis, oldest first. */
  readonly syntheses: SimulatedSynthesis[] = [];

  private readonly faults: { fault: Fault; remaining: number }[] = [];
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: ElevenLabsSimulatorOptions = {}) {
    this.apiKey = options.apiKey ?? `sk_${randomBytes(24).toString('hex')}`;
    this.ttsOnlyApiKey = options.ttsOnlyApiKey ?? null;
    this.voices = options.voices ?? DEFAULT_ELEVENLABS_VOICES;
    this.models = options.models ?? DEFAULT_ELEVENLABS_MODELS;
  }

  /** `http://127.0.0.1:<port>`; only valid after `start()`. */
  get baseUrl(): string {
    if (!this.url) throw new Error('ElevenLabsSimulator is not started');
    return this.url;
  }

  async start(): Promise<void> {
    if (this.server) return;
    ({ server: this.server, url: this.url } = await listenOnLoopback('ElevenLabsSimulator', (req, res) => this.handle(req, res), (res) => this.sendJson(res, elevenLabsErrors.serverFault(500))));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeNow(server);
  }

  /** Forgets recorded requests and syntheses, and every armed fault. */
  reset(): void {
    this.requests.length = 0;
    this.syntheses.length = 0;
    this.faults.length = 0;
  }

  /** The next `times` requests (default 1) get this status with ElevenLabs' error body; 429 may carry Retry-After. */
  failNext(fault: { status: 500 | 502 | 503 | 429; retryAfterSeconds?: number; times?: number }): void {
    this.arm({ kind: 'fail', status: fault.status, retryAfterSeconds: fault.retryAfterSeconds }, fault.times);
  }

  /** The next `times` requests are read and never answered: the client must time out. */
  hangNext(options: { times?: number } = {}): void {
    this.arm({ kind: 'hang' }, options.times);
  }

  /** The next `times` requests have their socket destroyed before any answer. */
  dropNext(options: { times?: number } = {}): void {
    this.arm({ kind: 'drop' }, options.times);
  }

  /** The next `times` syntheses send a 200 and half the audio, then the connection breaks. */
  truncateNext(options: { times?: number } = {}): void {
    this.arm({ kind: 'truncate' }, options.times);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  private arm(fault: Fault, times = 1): void {
    if (times > 0) this.faults.push({ fault, remaining: times });
  }

  private takeFault(): Fault | null {
    const head = this.faults[0];
    if (!head) return null;
    head.remaining -= 1;
    if (head.remaining <= 0) this.faults.shift();
    return head.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = flattenHeaders(req);
    const body = parseJson(raw);
    this.requests.push({ method, path: target.pathname, query: Object.fromEntries(target.searchParams), headers, body: body.ok ? body.value : undefined });

    const fault = this.takeFault();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'fail') {
      this.sendJson(res, fault.status === 429 ? elevenLabsErrors.tooManyRequests(fault.retryAfterSeconds) : elevenLabsErrors.serverFault(fault.status));
      return;
    }

    const key = headers['xi-api-key'];
    if (!key) return this.sendJson(res, elevenLabsErrors.missingApiKey());
    if (key !== this.apiKey && key !== this.ttsOnlyApiKey) return this.sendJson(res, elevenLabsErrors.invalidApiKey());

    const tts = TTS_PATH.exec(target.pathname);
    if (key === this.ttsOnlyApiKey && !tts) return this.sendJson(res, elevenLabsErrors.missingPermission('voices_read'));
    if (tts) {
      if (method !== 'POST') return this.sendJson(res, elevenLabsErrors.methodNotAllowed());
      return this.synthesize(res, {
        voiceId: decodeURIComponent(tts[1] ?? ''), streamed: tts[2] !== undefined, query: target.searchParams, body, truncate: fault?.kind === 'truncate',
      });
    }
    if (method === 'GET' && target.pathname === '/v1/voices') {
      return this.sendJson(res, { status: 200, body: { voices: this.voices.map(voiceResource), has_more: false, total_count: this.voices.length, next_page_token: null } });
    }
    const voice = VOICE_PATH.exec(target.pathname);
    if (method === 'GET' && voice) {
      const found = this.voices.find((v) => v.voice_id === decodeURIComponent(voice[1] ?? ''));
      return this.sendJson(res, found ? { status: 200, body: voiceResource(found) } : elevenLabsErrors.voiceNotFound(voice[1] ?? ''));
    }
    if (method === 'GET' && target.pathname === '/v1/models') {
      return this.sendJson(res, {
        status: 200,
        body: Object.entries(this.models).map(([model_id, limit]) => ({ model_id, name: model_id, can_do_text_to_speech: true, max_characters_request_subscribed_user: limit })),
      });
    }
    this.sendJson(res, elevenLabsErrors.notFound());
  }

  private synthesize(
    res: ServerResponse,
    request: { voiceId: string; streamed: boolean; query: URLSearchParams; body: ParsedJson; truncate: boolean },
  ): void {
    const { body } = request;
    if (!body.ok) return this.sendJson(res, elevenLabsErrors.validation(['body'], 'JSON decode error', 'json_invalid'));
    const fields = (typeof body.value === 'object' && body.value !== null ? body.value : {}) as Record<string, unknown>;
    if (typeof fields.text !== 'string') return this.sendJson(res, elevenLabsErrors.validation(['body', 'text'], 'Field required', 'missing'));
    const outputFormat = request.query.get('output_format') ?? DEFAULT_OUTPUT_FORMAT;
    const modelId = typeof fields.model_id === 'string' ? fields.model_id : DEFAULT_MODEL;
    if (!this.voices.some((v) => v.voice_id === request.voiceId)) return this.sendJson(res, elevenLabsErrors.voiceNotFound(request.voiceId));
    const limit = this.models[modelId];
    if (limit === undefined) return this.sendJson(res, elevenLabsErrors.modelNotFound(modelId));
    if (fields.text.trim() === '') return this.sendJson(res, elevenLabsErrors.emptyText());
    if (fields.text.length > limit) return this.sendJson(res, elevenLabsErrors.textTooLong(limit, fields.text.length));
    const audio = encodeForOutputFormat(fields.text, outputFormat);
    if (!audio) {
      return this.sendJson(res, elevenLabsErrors.validation(['query', 'output_format'], `Input should be a supported output format, got '${outputFormat}'`, 'enum'));
    }
    this.syntheses.push({ voiceId: request.voiceId, text: fields.text, modelId, outputFormat, streamed: request.streamed, bytes: audio.bytes });

    const headers: Record<string, string | number> = {
      'content-type': audio.contentType,
      'request-id': randomBytes(10).toString('hex'),
      'history-item-id': randomBytes(10).toString('hex'),
      'character-cost': fields.text.length,
    };
    if (request.truncate) {
      res.writeHead(200, { ...headers, 'content-length': audio.bytes.length });
      res.write(audio.bytes.subarray(0, Math.floor(audio.bytes.length / 2)), () => res.socket?.destroy());
      return;
    }
    if (!request.streamed) {
      res.writeHead(200, { ...headers, 'content-length': audio.bytes.length });
      res.end(audio.bytes);
      return;
    }
    // No content-length: chunked transfer encoding, as the streaming endpoint answers.
    res.writeHead(200, headers);
    for (let offset = 0; offset < audio.bytes.length; offset += STREAM_CHUNK_BYTES) res.write(audio.bytes.subarray(offset, offset + STREAM_CHUNK_BYTES));
    res.end();
  }

  private sendJson(res: ServerResponse, answer: ElevenLabsErrorAnswer): void {
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...answer.headers,
    });
    res.end(text);
  }
}

type ParsedJson = { ok: true; value: unknown } | { ok: false };

function parseJson(raw: string): ParsedJson {
  if (raw === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

function voiceResource(voice: SimulatedVoice) {
  return { voice_id: voice.voice_id, name: voice.name, category: 'premade', labels: {}, description: null, preview_url: null, settings: null };
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
