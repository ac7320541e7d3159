import { isMpegAudio } from '../audio/mpeg-audio.js';
import { checkSynthesisRequest, synthesizedAudio, unknownVoice } from '../audio/synthesis-request.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { SynthesisRequest, SynthesizedAudio, TtsCapabilities, TtsPort } from '../../ports/tts.js';
import { edgeErrorToDomainError } from './edge-error-mapping.js';
import { ReadAloudConnection } from './read-aloud-connection.js';
import { EDGE_VOICE_PATTERN, resolveEdgeTtsOptions, type EdgeTtsOptions, type ResolvedEdgeTtsOptions } from './edge-tts-options.js';
import { ssmlText } from './ssml-text.js';

const VOICE = new RegExp(EDGE_VOICE_PATTERN);
const VOICE_HINT = 'Use an Edge voice ShortName such as en-US-AriaNeural, en-GB-SoniaNeural or fr-FR-DeniseNeural, or omit the voice.';

/** The one format asked for: the service only answers MP3 (others get no audio, and risk a ban). */
const OUTPUT_FORMAT = 'audio-24khz-48kbitrate-mono-mp3';

/**
 * The `tts` port over Microsoft Edge's free Read Aloud voices (no account, no official SDK: the protocol is
 * spoken directly, see read-aloud-connection.ts). This server has no MP3 decoder, so mp3 is the one format offered.
 */
export class EdgeTts implements TtsPort {
  readonly capabilities: TtsCapabilities;
  private readonly options: ResolvedEdgeTtsOptions;
  private readonly logger: Logger;
  private readonly open = new Set<ReadAloudConnection>();
  private readonly now: () => Date;

  constructor(options: EdgeTtsOptions, ctx: PluginContext) {
    this.options = resolveEdgeTtsOptions(options);
    this.capabilities = { formats: ['mp3'], maxTextLength: this.options.maxTextLength };
    this.logger = ctx.logger.child({ adapter: 'edge-tts' });
    this.now = () => ctx.clock.now();
  }

  async synthesize(request: SynthesisRequest): Promise<SynthesizedAudio> {
    const text = checkSynthesisRequest(request, this.capabilities, 'Edge TTS');
    const voice = request.voice ?? this.options.voice;
    if (!VOICE.test(voice)) throw unknownVoice('Edge TTS', voice, VOICE_HINT);

    // One connection per synthesis: requests stay independent, and a broken socket breaks only one of them.
    const tts = new ReadAloudConnection(this.options.wssUrl, this.now);
    this.open.add(tts);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error('deadline'));
      }, this.options.timeoutMs);
    });
    try {
      const audio = await Promise.race([tts.speak(voice, ssmlText(text), OUTPUT_FORMAT), deadline]);
      // The service answers an unknown voice with a turn that carries no audio at all.
      if (audio.length === 0) throw unknownVoice('Edge TTS', voice, VOICE_HINT);
      if (!isMpegAudio(audio)) {
        throw new DomainError('PROVIDER_UNAVAILABLE', 'Edge TTS answered with audio that is not valid MP3.',
          'Retry; if it persists, check the wssUrl of the tts options.', { provider: 'edge', reason: 'invalid_audio' });
      }
      return synthesizedAudio('mp3', audio);
    } catch (err) {
      const failure = edgeErrorToDomainError(err, { timedOut, timeoutMs: this.options.timeoutMs });
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'edge synthesis failed');
      throw failure;
    } finally {
      clearTimeout(timer);
      this.open.delete(tts);
      tts.close();
    }
  }

  async close(): Promise<void> {
    for (const tts of this.open) tts.close();
    this.open.clear();
  }
}
