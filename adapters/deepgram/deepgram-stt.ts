import { DeepgramClient } from '@deepgram/sdk';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { SttCapabilities, SttEvent, SttPort, SttStream, SttStreamRequest } from '../../ports/stt.js';
import { deepgramCheckError, deepgramOpenError, deepgramStreamLost } from './deepgram-error-mapping.js';
import { toSttEvent } from './deepgram-events.js';
import { resolveDeepgramOptions, type DeepgramOptions, type ResolvedDeepgramOptions } from './deepgram-options.js';

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;

/** How long `finish` waits for Deepgram's last results and close before dropping the socket. */
const FINISH_GRACE_MS = 5000;

/**
 * The `stt` port over Deepgram's live transcription WebSocket, through the official `@deepgram/sdk` only.
 * Interim results, endpointing (`speech_final`), `SpeechStarted` and `UtteranceEnd` are all asked for;
 * the SDK's own reconnection is off, because a silently reopened stream would lose the audio clock.
 */
export class DeepgramStt implements SttPort, CredentialCheck {
  readonly capabilities: SttCapabilities = { encodings: ['mulaw', 'linear16'], interimResults: true };
  private readonly options: ResolvedDeepgramOptions;
  private readonly client: DeepgramClient;
  private readonly logger: Logger;
  private readonly streams = new Set<DeepgramStream>();

  constructor(options: DeepgramOptions, ctx: PluginContext) {
    this.options = resolveDeepgramOptions(options);
    this.logger = ctx.logger.child({ adapter: 'deepgram' });
    this.client = new DeepgramClient({ apiKey: this.options.apiKey, baseUrl: this.options.baseUrl });
  }

  /** Lists the key's projects over REST (free; the same origin as the stream, over http(s)): a wrong key is refused with 401. */
  async checkCredentials(): Promise<string> {
    const restOrigin = this.options.baseUrl.replace(/^ws/, 'http');
    const rest = new DeepgramClient({ apiKey: this.options.apiKey, baseUrl: restOrigin, maxRetries: 0, timeoutInSeconds: this.options.connectTimeoutMs / 1000 });
    try {
      const { projects } = await rest.manage.v1.projects.list();
      return `API key accepted (${projects?.length ?? 0} project(s))`;
    } catch (err) {
      throw deepgramCheckError(err, this.options.apiKey);
    }
  }

  async open(request: SttStreamRequest, listener: (event: SttEvent) => void): Promise<SttStream> {
    if (!this.capabilities.encodings.includes(request.encoding) || !Number.isInteger(request.sampleRate) || request.sampleRate <= 0) {
      throw new DomainError('INVALID_INPUT', `Deepgram cannot take ${String(request.encoding)} audio at ${request.sampleRate} Hz here.`, 'Stream mulaw or linear16 with a positive whole sample rate.', { provider: 'deepgram' });
    }
    const { options } = this;
    let socket: ListenSocket | null = null;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    try {
      socket = await this.client.listen.v1.connect({
        model: options.model,
        language: request.language ?? options.language,
        encoding: request.encoding,
        sample_rate: request.sampleRate,
        channels: 1,
        interim_results: 'true',
        punctuate: 'true',
        endpointing: options.endpointingMs,
        utterance_end_ms: options.utteranceEndMs,
        vad_events: 'true',
        reconnectAttempts: 0,
        connectionTimeoutInSeconds: options.connectTimeoutMs / 1000,
      } as Parameters<DeepgramClient['listen']['v1']['connect']>[0]);
      const opening = socket;
      const failed = new Promise<never>((_, reject) => opening.on('error', reject));
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error('deadline'));
        }, options.connectTimeoutMs);
      });
      opening.connect();
      await Promise.race([opening.waitForOpen(), failed, deadline]);
    } catch (err) {
      socket?.close();
      const failure = deepgramOpenError(err, options.apiKey, timedOut, options.connectTimeoutMs);
      this.logger.warn({ code: failure.code, details: failure.details }, 'deepgram stream refused');
      throw failure;
    } finally {
      clearTimeout(timer);
    }
    const stream = new DeepgramStream(socket, listener, this.logger, () => this.streams.delete(stream));
    this.streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.close();
  }
}

class DeepgramStream implements SttStream {
  private state: 'open' | 'finishing' | 'ended' = 'open';
  private readonly ended: Promise<void>;
  private markEnded!: () => void;

  constructor(
    private readonly socket: ListenSocket,
    private readonly listener: (event: SttEvent) => void,
    private readonly logger: Logger,
    private readonly forget: () => void,
  ) {
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
    socket.on('message', (message) => {
      const event = toSttEvent(message as unknown as Record<string, unknown>);
      if (event && this.state !== 'ended') this.listener(event);
    });
    // A closed socket reports an error only sometimes, and always a close: the close decides.
    socket.on('error', (err) => this.logger.debug({ err: err.message }, 'deepgram socket error'));
    socket.on('close', (event) => {
      this.end(this.state === 'finishing' ? { type: 'closed' } : { type: 'error', error: deepgramStreamLost(event.code) });
    });
  }

  send(audio: Uint8Array): void {
    if (this.state !== 'open') return;
    try {
      this.socket.sendMedia(audio);
    } catch {
      // The socket is closing; its close event reports why.
    }
  }

  finish(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'finishing';
      try {
        this.socket.sendCloseStream({ type: 'CloseStream' });
      } catch {
        this.end({ type: 'closed' });
      }
      const grace = setTimeout(() => this.end({ type: 'closed' }), FINISH_GRACE_MS);
      void this.ended.then(() => clearTimeout(grace));
    }
    return this.ended;
  }

  close(): void {
    this.end({ type: 'closed' });
  }

  private end(event: SttEvent): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.listener(event);
    this.forget();
    this.socket.close();
    this.markEnded();
  }
}
