import { pcm16ToMulaw8000, pcm16ToWav } from '../audio/telephony-audio.js';
import { checkSynthesisRequest, synthesizedAudio, unknownVoice } from '../audio/synthesis-request.js';
import { decodeWav } from '../audio/wav.js';
import type { Pcm16 } from '../audio/pcm16.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { SynthesisRequest, SynthesizedAudio, TtsCapabilities, TtsPort } from '../../ports/tts.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { espeakMissing } from './espeak-install-hint.js';
import { resolveEspeakOptions, type EspeakOptions, type ResolvedEspeakOptions } from './espeak-options.js';
import { ProgramNotFoundError, ProgramTimeoutError, runProgram } from './espeak-process.js';
import { EspeakVoices, parseVariantList, parseVoiceList } from './espeak-voices.js';

/** Listing voices is quick; a program that takes longer is not a working espeak-ng. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * The `tts` port over the local espeak-ng program: robotic but free, offline and instant. One process per
 * synthesis (`--stdout` gives WAV), converted here to 8 kHz μ-law or 16 kHz WAV. No MP3: espeak-ng cannot
 * write it and this server has no MP3 encoder.
 */
export class EspeakTts implements TtsPort {
  readonly capabilities: TtsCapabilities;
  private readonly logger: Logger;
  private readonly limit: ConcurrencyLimit;

  private constructor(
    private readonly options: ResolvedEspeakOptions,
    private readonly voices: EspeakVoices,
    private readonly defaultVoice: string,
    ctx: PluginContext,
  ) {
    this.capabilities = { formats: ['wav', 'ulaw_8000'], maxTextLength: options.maxTextLength };
    this.logger = ctx.logger.child({ adapter: 'espeak' });
    this.limit = new ConcurrencyLimit(options.maxConcurrent);
  }

  /** Checks that espeak-ng runs and offers the default voice; refuses to start otherwise, saying how to fix it. */
  static async start(options: EspeakOptions, ctx: PluginContext): Promise<EspeakTts> {
    const resolved = resolveEspeakOptions(options);
    let voiceList: string;
    let variantList: string;
    try {
      const version = await runProgram(resolved.binary, ['--version'], { timeoutMs: PROBE_TIMEOUT_MS });
      if (version.exitCode !== 0 || !/espeak/i.test(version.stdout.toString('utf8'))) {
        throw new DomainError('PLUGIN_INVALID', `tts: "${resolved.binary}" does not answer --version like espeak-ng does.`,
          'Install espeak-ng with: apt-get install espeak-ng, or point the binary option at it.', { provider: 'espeak', binary: resolved.binary });
      }
      voiceList = (await runProgram(resolved.binary, ['--voices'], { timeoutMs: PROBE_TIMEOUT_MS })).stdout.toString('utf8');
      variantList = (await runProgram(resolved.binary, ['--voices=variant'], { timeoutMs: PROBE_TIMEOUT_MS })).stdout.toString('utf8');
    } catch (err) {
      if (err instanceof ProgramNotFoundError) throw espeakMissing(resolved.binary, 'PLUGIN_INVALID');
      if (err instanceof ProgramTimeoutError) {
        throw new DomainError('PLUGIN_INVALID', `tts: "${resolved.binary}" did not answer within ${PROBE_TIMEOUT_MS} ms.`,
          'Check that the binary option names espeak-ng (apt-get install espeak-ng).', { provider: 'espeak', binary: resolved.binary });
      }
      throw err;
    }
    const voices = new EspeakVoices(parseVoiceList(voiceList), parseVariantList(variantList));
    const defaultVoice = voices.resolve(resolved.voice);
    if (!defaultVoice) {
      throw new DomainError('PLUGIN_INVALID', `tts: espeak-ng has no voice "${resolved.voice}" (it lists ${voices.size} voices).`,
        `Set the voice option to one of \`espeak-ng --voices\`, e.g. ${voices.examples().join(', ') || 'en-us'}.`, { provider: 'espeak', voice: resolved.voice });
    }
    return new EspeakTts(resolved, voices, defaultVoice, ctx);
  }

  async synthesize(request: SynthesisRequest): Promise<SynthesizedAudio> {
    const text = checkSynthesisRequest(request, this.capabilities, 'espeak-ng');
    const voice = request.voice === undefined ? this.defaultVoice : this.voices.resolve(request.voice);
    if (!voice) {
      throw unknownVoice('espeak-ng', request.voice ?? '', `Use a language of \`espeak-ng --voices\` (e.g. ${this.voices.examples().join(', ')}), optionally +variant (en-us+f3).`);
    }
    try {
      const pcm = await this.limit.run(() => this.speak(text, voice));
      return synthesizedAudio(request.format, request.format === 'wav' ? pcm16ToWav(pcm) : pcm16ToMulaw8000(pcm));
    } catch (err) {
      const failure = this.toDomainError(err, voice);
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'espeak synthesis failed');
      throw failure;
    }
  }

  private async speak(text: string, voice: string): Promise<Pcm16> {
    const rate = this.options.wordsPerMinute !== undefined ? ['-s', String(this.options.wordsPerMinute)] : [];
    // Text goes through stdin, never argv: a text starting with "-" must not be read as an option.
    const result = await runProgram(this.options.binary, ['--stdout', '-b', '1', '-v', voice, ...rate], { stdin: text, timeoutMs: this.options.timeoutMs });
    if (result.exitCode !== 0) {
      const firstLine = result.stderr.split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 200) ?? '';
      if (/voice does not exist|failed to read voice/i.test(result.stderr)) throw unknownVoice('espeak-ng', voice, 'Use a language of `espeak-ng --voices`.');
      throw new DomainError('PROVIDER_UNAVAILABLE', `espeak-ng failed (${result.signal ?? `exit ${result.exitCode}`}${firstLine ? `: ${firstLine}` : ''}).`,
        'Retry; if it keeps failing, run espeak-ng by hand on the server to see why (reinstall with apt-get install --reinstall espeak-ng).',
        { provider: 'espeak', exitCode: result.exitCode, signal: result.signal });
    }
    const pcm = decodeWav(new Uint8Array(result.stdout));
    if (pcm.samples.length === 0) throw new Error('espeak-ng produced no samples');
    return pcm;
  }

  private toDomainError(err: unknown, voice: string): DomainError {
    if (isDomainError(err)) return err;
    if (err instanceof ProgramNotFoundError) return espeakMissing(this.options.binary, 'PROVIDER_UNAVAILABLE');
    if (err instanceof ProgramTimeoutError) {
      return new DomainError('PROVIDER_TIMEOUT', `espeak-ng did not finish within ${this.options.timeoutMs} ms.`,
        'Retry with shorter text, or raise timeoutMs in the tts options (the server may be overloaded).', { provider: 'espeak', timeoutMs: this.options.timeoutMs });
    }
    return new DomainError('PROVIDER_UNAVAILABLE', `espeak-ng gave no usable audio (${err instanceof Error ? err.message.slice(0, 200) : 'unknown failure'}).`,
      'Retry; if it keeps failing, run espeak-ng by hand on the server to see why.', { provider: 'espeak', voice });
  }
}
