import { MsEdgeTTS, OUTPUT_FORMAT } from 'msedge-tts';
import type { Readable } from 'node:stream';
import { isMpegAudio } from '../audio/mpeg-audio.js';
import { checkSynthesisRequest, synthesizedAudio, unknownVoice } from '../audio/synthesis-request.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { SynthesisRequest, SynthesizedAudio, TtsCapabilities, TtsPort } from '../../ports/tts.js';
import { edgeErrorToDomainError } from './edge-error-mapping.js';
import { EDGE_VOICE_PATTERN, resolveEdgeTtsOptions, type EdgeTtsOptions, type ResolvedEdgeTtsOptions } from './edge-tts-options.js';
import { ssmlText } from './ssml-text.js';

const VOICE = new RegExp(EDGE_VOICE_PATTERN);
const VOICE_HINT = 'Use an Edge voice ShortName such as en-US-AriaNeural, en-GB-SoniaNeural or fr-FR-DeniseNeural, or omit the voice.';

/**
 * `WSS_URL` is a static of msedge-tts (declared private, writable in fact): the endpoint is process-wide,
 * so it is set just before each connection; every Edge adapter of one process should use the same wssUrl.
 */
function pointMsEdgeTtsAt(wssUrl: string): void {
  (MsEdgeTTS as unknown as { WSS_URL: string }).WSS_URL = wssUrl;
}

function collect(stream: Readable): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    stream.once('error', reject);
  });
}

/**
 * The `tts` port over Microsoft Edge's free Read Aloud voices, through `msedge-tts`. The service only
 * answers MP3 (other output formats get no audio, and risk a ban), and this server has no MP3 decoder,
 * so mp3 is the one format offered.
 */
export class EdgeTts implements TtsPort {
  readonly capabilities: TtsCapabilities;
  private readonly options: ResolvedEdgeTtsOptions;
  private readonly logger: Logger;
  private readonly open = new Set<MsEdgeTTS>();

  constructor(options: EdgeTtsOptions, ctx: PluginContext) {
    this.options = resolveEdgeTtsOptions(options);
    this.capabilities = { formats: ['mp3'], maxTextLength: this.options.maxTextLength };
    this.logger = ctx.logger.child({ adapter: 'edge-tts' });
  }

  async synthesize(request: SynthesisRequest): Promise<SynthesizedAudio> {
    const text = checkSynthesisRequest(request, this.capabilities, 'Edge TTS');
    const voice = request.voice ?? this.options.voice;
    if (!VOICE.test(voice)) throw unknownVoice('Edge TTS', voice, VOICE_HINT);

    // One connection per synthesis: requests stay independent, and a broken socket breaks only one of them.
    const tts = new MsEdgeTTS();
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
      const audio = await Promise.race([this.speak(tts, voice, text), deadline]);
      // The service answers an unknown voice with a turn that carries no audio at all.
      if (audio.length === 0) throw unknownVoice('Edge TTS', voice, VOICE_HINT);
      if (!isMpegAudio(audio)) {
        throw new DomainError('PROVIDER_UNAVAILABLE', 'Edge TTS answered with audio that is not valid MP3.',
          'Retry; if it persists, check the wssUrl of the tts options.', { provider: 'edge', reason: 'invalid_audio' });
      }
      return synthesizedAudio('mp3', audio);
    } catch (err) {
      const failure = edgeErrorToDomainError(err, { timedOut, timeoutMs: this.options.timeoutMs });
      this.logger.warn({ code: failure.code, details: failure.details }, 'edge synthesis failed');
      throw failure;
    } finally {
      clearTimeout(timer);
      this.open.delete(tts);
      tts.close();
    }
  }

  private async speak(tts: MsEdgeTTS, voice: string, text: string): Promise<Uint8Array> {
    pointMsEdgeTtsAt(this.options.wssUrl);
    await tts.setMetadata(voice, OUTPUT_FORMAT.AUDIO_24KHZ_48KBITRATE_MONO_MP3);
    const { audioStream } = tts.toStream(ssmlText(text));
    return collect(audioStream);
  }

  async close(): Promise<void> {
    for (const tts of this.open) tts.close();
    this.open.clear();
  }
}
