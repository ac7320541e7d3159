import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { pcm16ToLittleEndian } from '../../../adapters/audio/pcm16.js';
import { silentMp3 } from '../../../adapters/audio/silent-mp3.js';
import { encodeWav } from '../../../adapters/audio/wav.js';
import { MS_PER_CHARACTER, speechLikeSignal } from '../elevenlabs/speech-like-signal.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';

export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'] as const;
const FORMATS = new Set(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']);
const MAX_INPUT = 4096;

export interface SpeechRequest {
  headers: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

type Fault = { status: 429 | 500 | 503 } | { kind: 'drop' };

function error(res: ServerResponse, status: number, message: string, type: string, param: string | null = null, code: string | null = null): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type, param, code } }));
}

/**
 * A loopback stand-in for OpenAI's `POST /v1/audio/speech`: Bearer auth, the JSON body checked as OpenAI checks
 * it (voice, input length, response_format), and audio of the asked format (`pcm`: 24 kHz 16-bit speech-like
 * signal; `mp3`: valid silent frames of the same length).
 */
export class OpenAiSpeechSimulator {
  readonly apiKey = `sk-sim-${randomBytes(12).toString('hex')}`;
  readonly requests: SpeechRequest[] = [];
  /** How many times `GET /v1/models` was asked (what a credential check reads). */
  modelListings = 0;
  private readonly faults: Fault[] = [];
  private server: Server | null = null;
  private url: string | null = null;

  /** `http://127.0.0.1:<port>/v1`: the adapter's `baseUrl`. */
  get baseUrl(): string {
    if (!this.url) throw new Error('OpenAiSpeechSimulator is not started');
    return `${this.url}/v1`;
  }

  failNext(fault: Fault = { status: 503 }): void {
    this.faults.push(fault);
  }

  async start(): Promise<void> {
    const { server, url } = await listenOnLoopback('openai speech simulator', (req, res) => this.handle(req, res), (res) => error(res, 500, 'The server had an error.', 'server_error'));
    this.server = server;
    this.url = url;
  }

  async stop(): Promise<void> {
    if (this.server) await closeNow(this.server);
    this.server = null;
  }

  /** `GET /v1/models`: the speech models, as OpenAI lists models; a wrong key gets the same 401 as speech. */
  private listModels(req: IncomingMessage, res: ServerResponse): void {
    this.modelListings += 1;
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return error(res, 401, 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key');
    const fault = this.faults.shift();
    if (fault && 'kind' in fault) return void res.destroy();
    if (fault) return error(res, fault.status, 'The server is overloaded or not ready yet.', 'server_error');
    const data = ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd'].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'GET' && req.url === '/v1/models') return this.listModels(req, res);
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') return error(res, 404, `Unknown request URL: ${req.method} ${req.url}.`, 'invalid_request_error');
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return error(res, 401, 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    this.requests.push({ headers: { ...req.headers } as Record<string, string | undefined>, body });
    const fault = this.faults.shift();
    if (fault && 'kind' in fault) return void res.destroy();
    if (fault) return error(res, fault.status, 'The server is overloaded or not ready yet.', 'server_error');
    const { input, voice, model } = body;
    const format = body.response_format ?? 'mp3';
    if (typeof model !== 'string' || model === '') return error(res, 400, 'you must provide a model parameter', 'invalid_request_error', 'model');
    if (typeof input !== 'string' || input === '') return error(res, 400, "Missing required parameter: 'input'.", 'invalid_request_error', 'input');
    if (input.length > MAX_INPUT) return error(res, 400, `Invalid 'input': string too long. Expected a string with maximum length ${MAX_INPUT}.`, 'invalid_request_error', 'input', 'string_above_max_length');
    if (typeof voice !== 'string' || !(OPENAI_VOICES as readonly string[]).includes(voice)) {
      return error(res, 400, `Invalid value for 'voice': ${String(voice)}.`, 'invalid_request_error', 'voice');
    }
    if (typeof format !== 'string' || !FORMATS.has(format)) return error(res, 400, `Invalid value for 'response_format'.`, 'invalid_request_error', 'response_format');
    if (format === 'mp3') {
      res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(silentMp3({ durationMs: input.length * MS_PER_CHARACTER, sampleRate: 24000, bitrateKbps: 48 }));
      return;
    }
    const pcm = speechLikeSignal(input, 24000);
    if (format === 'pcm') return void res.writeHead(200, { 'content-type': 'audio/pcm' }).end(pcm16ToLittleEndian(pcm.samples));
    if (format === 'wav') return void res.writeHead(200, { 'content-type': 'audio/wav' }).end(encodeWav(pcm));
    error(res, 400, `The simulator does not encode ${format}.`, 'invalid_request_error', 'response_format');
  }
}
