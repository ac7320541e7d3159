import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { checkSynthesisRequest, synthesizedAudio, unknownVoice } from '../audio/synthesis-request.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { SynthesisRequest, SynthesizedAudio, TtsCapabilities, TtsPort } from '../../ports/tts.js';
import { elevenLabsErrorMapper } from './elevenlabs-error-mapping.js';
import { OUTPUT_FORMAT_FOR, toOurFormat } from './elevenlabs-output-format.js';
import { resolveElevenLabsOptions, type ElevenLabsOptions, type ResolvedElevenLabsOptions } from './elevenlabs-options.js';

/** ElevenLabs voice ids are short alphanumeric strings; anything else cannot name a voice and must not reach the URL. */
const VOICE_ID = /^[A-Za-z0-9_-]{1,100}$/;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The `tts` port over ElevenLabs text-to-speech, through the official `@elevenlabs/elevenlabs-js` SDK only. */
export class ElevenLabsTts implements TtsPort, CredentialCheck {
  readonly capabilities: TtsCapabilities;
  private readonly options: ResolvedElevenLabsOptions;
  private readonly client: ElevenLabsClient;
  private readonly logger: Logger;
  private readonly toDomainError: ReturnType<typeof elevenLabsErrorMapper>;
  private readonly inFlight = new Set<AbortController>();

  constructor(options: ElevenLabsOptions, ctx: PluginContext) {
    this.options = resolveElevenLabsOptions(options);
    this.capabilities = { formats: ['mp3', 'wav', 'ulaw_8000'], maxTextLength: this.options.maxTextLength };
    this.logger = ctx.logger.child({ adapter: 'elevenlabs' });
    // No SDK retries: a retry is the caller's decision (and costs characters).
    this.client = new ElevenLabsClient({
      apiKey: this.options.apiKey,
      baseUrl: this.options.baseUrl,
      maxRetries: 0,
      timeoutInSeconds: this.options.timeoutMs / 1000,
    });
    this.toDomainError = elevenLabsErrorMapper(this.options.apiKey, this.options.timeoutMs);
  }

  async synthesize(request: SynthesisRequest): Promise<SynthesizedAudio> {
    const text = checkSynthesisRequest(request, this.capabilities, 'ElevenLabs');
    const voice = request.voice ?? this.options.voiceId;
    if (!VOICE_ID.test(voice)) throw unknownVoice('ElevenLabs', voice, 'Use a voice id from GET /v1/voices (letters and digits, like JBFqnCBsd6RMkjVDRZzb).');
    const outputFormat = OUTPUT_FORMAT_FOR[request.format];

    // One deadline for the request and the audio download: the SDK's own timeout stops at the headers.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    this.inFlight.add(controller);
    try {
      const stream = await this.client.textToSpeech.convert(
        voice,
        { text, modelId: this.options.modelId, outputFormat },
        { abortSignal: controller.signal },
      );
      const audio = toOurFormat(request.format, await readAll(stream));
      if (!audio) {
        throw new DomainError('PROVIDER_UNAVAILABLE', `ElevenLabs answered without valid ${outputFormat} audio.`,
          'Retry; if it persists, check that the baseUrl of the tts options points at the ElevenLabs API.',
          { provider: 'elevenlabs', outputFormat, reason: 'invalid_audio' });
      }
      return synthesizedAudio(request.format, audio);
    } catch (err) {
      const failure = this.toDomainError(err, { voice, timedOut });
      // No text in logs: the code and safe details say enough.
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'elevenlabs synthesis failed');
      throw failure;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  /**
   * Reads the configured voice: free (no characters), and refused when the key is wrong or the voice is not the
   * account's. A key restricted to text-to-speech may not read voices (missing_permissions): a valid key all the same.
   */
  async checkCredentials(): Promise<string> {
    const voice = this.options.voiceId;
    try {
      // The client's own timeout (timeoutInSeconds) bounds it: there is no audio stream to wait for here.
      const found = await this.client.voices.get(voice);
      return `API key accepted; voice ${found.name ?? voice} found`;
    } catch (err) {
      const failure = this.toDomainError(err, { voice, timedOut: false });
      if (failure.details.providerCode === 'missing_permissions') return 'API key accepted (restricted: it may not read voices, so the voice was not checked)';
      throw failure;
    }
  }

  /** Abandons syntheses still running, so that a closed adapter holds no sockets open. */
  async close(): Promise<void> {
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }
}
