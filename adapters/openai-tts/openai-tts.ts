import OpenAI from 'openai';
import { isMpegAudio } from '../audio/mpeg-audio.js';
import { checkSynthesisRequest, synthesizedAudio, unknownVoice } from '../audio/synthesis-request.js';
import { pcm16ToMulaw8000, pcm16ToWav, rawPcm16 } from '../audio/telephony-audio.js';
import { listedModel } from '../model-listing/listed-model.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { AudioFormat, SynthesisRequest, SynthesizedAudio, TtsCapabilities, TtsPort } from '../../ports/tts.js';
import { openAiTtsError } from './openai-tts-error-mapping.js';
import { resolveOpenAiTtsOptions, type OpenAiTtsOptions, type ResolvedOpenAiTtsOptions } from './openai-tts-options.js';

/** OpenAI's `pcm` response: raw 16-bit little-endian mono at 24 kHz. */
const PCM_SAMPLE_RATE = 24_000;
const VOICE = /^[A-Za-z0-9_.-]{1,100}$/;
/** Sent when no key is configured: local servers ignore it, and the SDK insists on one. */
const PLACEHOLDER_API_KEY = 'no-key-configured';

/**
 * The `tts` port over OpenAI's speech API (`POST /v1/audio/speech`) through the official `openai` SDK, so any
 * OpenAI-compatible local server works too. MP3 comes as is; WAV and 8 kHz μ-law are made from its raw PCM.
 */
export class OpenAiTts implements TtsPort, CredentialCheck {
  readonly capabilities: TtsCapabilities;
  private readonly options: ResolvedOpenAiTtsOptions;
  private readonly client: OpenAI;
  private readonly logger: Logger;

  constructor(options: OpenAiTtsOptions, ctx: PluginContext) {
    this.options = resolveOpenAiTtsOptions(options);
    this.capabilities = { formats: ['mp3', 'wav', 'ulaw_8000'], maxTextLength: this.options.maxTextLength };
    this.logger = ctx.logger.child({ adapter: 'openai-tts' });
    // No SDK retries: a retry is the caller's decision.
    this.client = new OpenAI({ apiKey: this.options.apiKey ?? PLACEHOLDER_API_KEY, baseURL: this.options.baseUrl, maxRetries: 0, timeout: this.options.timeoutMs });
  }

  async synthesize(request: SynthesisRequest): Promise<SynthesizedAudio> {
    const text = checkSynthesisRequest(request, this.capabilities, 'OpenAI TTS');
    const voice = request.voice ?? this.options.voice;
    if (!VOICE.test(voice)) throw unknownVoice('OpenAI TTS', voice, 'Use a voice name such as alloy, coral or nova.');
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      const response = await this.client.audio.speech.create(
        {
          model: this.options.model, voice, input: text, response_format: request.format === 'mp3' ? 'mp3' : 'pcm',
          ...(this.options.instructions ? { instructions: this.options.instructions } : {}),
        },
        { signal: controller.signal },
      );
      const bytes = new Uint8Array(await response.arrayBuffer());
      return synthesizedAudio(request.format, this.toFormat(request.format, bytes));
    } catch (err) {
      const failure = isDomainError(err) ? err : openAiTtsError(err, { voice, apiKey: this.options.apiKey, timedOut, timeoutMs: this.options.timeoutMs });
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'openai speech synthesis failed');
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lists the models (free; local OpenAI-compatible servers answer it too): a wrong key is refused with 401. */
  async checkCredentials(): Promise<string> {
    try {
      const models = await this.client.models.list();
      const model = listedModel(models.data.map((m) => m.id), this.options.model);
      return `${this.options.apiKey ? 'API key accepted' : 'no API key configured; the server answers'}, ${model}`;
    } catch (err) {
      throw openAiTtsError(err, { voice: this.options.voice, apiKey: this.options.apiKey, timedOut: false, timeoutMs: this.options.timeoutMs });
    }
  }

  private toFormat(format: AudioFormat, bytes: Uint8Array): Uint8Array {
    const invalid = (what: string) => new DomainError('PROVIDER_UNAVAILABLE', `The speech server answered without valid ${what} audio.`,
      'Retry; if it persists, check that baseUrl points at an OpenAI-compatible speech API.', { provider: 'openai', reason: 'invalid_audio' });
    if (format === 'mp3') {
      if (!isMpegAudio(bytes)) throw invalid('MP3');
      return bytes;
    }
    if (bytes.length < 2) throw invalid('PCM');
    const pcm = rawPcm16(bytes, PCM_SAMPLE_RATE);
    return format === 'wav' ? pcm16ToWav(pcm) : pcm16ToMulaw8000(pcm);
  }
}
