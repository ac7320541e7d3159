import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SttCapabilities, SttEvent, SttPort, SttStream, SttStreamRequest } from '../ports/stt.js';
import { expectFailure } from './domain-error-assertions.js';

/** What the suite may know of the far side. Optional members skip the tests that need them. */
export interface SttHarness {
  /**
   * Audio of `text` spoken, in the encoding and rate of `request`, followed by `trailingSilenceMs` of
   * silence (long enough by default to end the utterance).
   */
  utterance(text: string, trailingSilenceMs?: number): Promise<Uint8Array>;
  /** The recogniser hears `text` for the next utterance (the mock and the simulators are scripted). */
  willHear(text: string): void;
  /** Drops the connection of every open stream, as a network failure would. */
  dropConnections?(): void;
  /** The next stream is refused as the provider refuses bad credentials. */
  refuseCredentialsNext?(): void;
  /** The next stream is refused as an unavailable provider refuses it (5xx, unreachable). */
  unavailableNext?(): void;
}

export interface SttContractOptions {
  name: string;
  factory: () => Promise<{ port: SttPort; harness: SttHarness }>;
  teardown?: () => Promise<void>;
  capabilities: SttCapabilities;
  /** The stream the suite opens. Default 8 kHz μ-law, as Twilio Media Streams deliver it. */
  request?: SttStreamRequest;
  /** Secrets that must never appear in an error. */
  secrets?: readonly string[];
  /** Generous: recognisers are asynchronous, and the machine may be loaded. Default 10000 ms. */
  timeoutMs?: number;
}

/** Events of one stream, with a way to wait for the one that matters. */
class EventLog {
  readonly events: SttEvent[] = [];
  private waiters: Array<() => void> = [];

  readonly listener = (event: SttEvent): void => {
    this.events.push(event);
    for (const wake of this.waiters.splice(0)) wake();
  };

  async until(predicate: (events: readonly SttEvent[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  finals(): string[] {
    return this.events.flatMap((e) => (e.type === 'transcript' && e.isFinal ? [e.text] : []));
  }

  /** The caller's utterances as a host assembles them: final pieces joined until the end of speech. */
  utterances(): string[] {
    const done: string[] = [];
    let current: string[] = [];
    for (const e of this.events) {
      if (e.type === 'transcript' && e.isFinal && e.text.trim() !== '') current.push(e.text.trim());
      if ((e.type === 'transcript' && e.speechFinal) || e.type === 'utterance-end' || e.type === 'closed') {
        if (current.length > 0) done.push(current.join(' '));
        current = [];
      }
    }
    return done;
  }
}

const DEFAULT_REQUEST: SttStreamRequest = { encoding: 'mulaw', sampleRate: 8000, language: 'en-US' };

function normalised(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9 ]/g, '').replace(/\s+/g, ' ').trim();
}

/** Sends audio in 20 ms chunks, as a phone line delivers it (without waiting: the suite tests order, not pace). */
function sendInChunks(stream: SttStream, audio: Uint8Array, request: SttStreamRequest): void {
  const bytesPerSample = request.encoding === 'mulaw' ? 1 : 2;
  const chunk = (request.sampleRate / 50) * bytesPerSample;
  for (let offset = 0; offset < audio.length; offset += chunk) stream.send(audio.subarray(offset, offset + chunk));
}

const isEnd = (e: SttEvent): boolean => e.type === 'closed' || e.type === 'error';

/**
 * The published behaviour of the `stt` port. A vendor adapter runs it against its provider's simulator,
 * fed with real speech; the mock runs it directly.
 */
export function describeSttContract(options: SttContractOptions): void {
  const request = options.request ?? DEFAULT_REQUEST;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const secrets = options.secrets ?? [];

  describe(`SttPort contract: ${options.name}`, () => {
    let port: SttPort;
    let harness: SttHarness;
    const open: SttStream[] = [];

    const start = async (): Promise<{ stream: SttStream; log: EventLog }> => {
      const log = new EventLog();
      const stream = await port.open(request, log.listener);
      open.push(stream);
      return { stream, log };
    };

    beforeEach(async () => {
      ({ port, harness } = await options.factory());
    });

    afterEach(async () => {
      for (const stream of open.splice(0)) stream.close();
      await port?.close?.();
      await options.teardown?.();
    });

    it('declares the capabilities it was registered with', () => {
      expect([...port.capabilities.encodings].sort()).toEqual([...options.capabilities.encodings].sort());
      expect(port.capabilities.interimResults).toBe(options.capabilities.interimResults);
      expect(port.capabilities.encodings).toContain(request.encoding);
    });

    it('reports speech start, interim results, then the final transcript, in the order of the audio', async () => {
      harness.willHear('I would like to book an appointment');
      const { stream, log } = await start();
      sendInChunks(stream, await harness.utterance('I would like to book an appointment'), request);
      await log.until((events) => log.utterances().length === 1 && events.some((e) => e.type === 'transcript' && e.speechFinal || e.type === 'utterance-end'), timeoutMs, 'the end of the utterance');

      expect(log.utterances().map(normalised)).toEqual(['i would like to book an appointment']);
      const types = log.events.map((e) => e.type);
      const firstTranscript = types.indexOf('transcript');
      const started = types.indexOf('speech-started');
      if (started !== -1) expect(started).toBeLessThan(firstTranscript);
      const finalIndex = log.events.findIndex((e) => e.type === 'transcript' && e.isFinal);
      if (options.capabilities.interimResults) {
        expect(log.events.slice(0, finalIndex).some((e) => e.type === 'transcript' && !e.isFinal), 'an interim result before the final one').toBe(true);
      }
      let previousEnd = 0;
      for (const e of log.events) {
        if (e.type !== 'transcript' || !e.isFinal) continue;
        expect(e.startSeconds).toBeGreaterThanOrEqual(0);
        expect(e.endSeconds).toBeGreaterThanOrEqual(e.startSeconds);
        expect(e.endSeconds).toBeGreaterThanOrEqual(previousEnd);
        previousEnd = e.endSeconds;
      }
      expect(log.events.some(isEnd)).toBe(false);
    });

    it('hears consecutive utterances as separate finals, in order', async () => {
      harness.willHear('Hello there');
      harness.willHear('Tuesday at ten works');
      const { stream, log } = await start();
      sendInChunks(stream, await harness.utterance('Hello there'), request);
      sendInChunks(stream, await harness.utterance('Tuesday at ten works'), request);
      await log.until(() => log.utterances().length === 2, timeoutMs, 'two utterances');
      expect(log.utterances().map(normalised)).toEqual(['hello there', 'tuesday at ten works']);
    });

    it('finish flushes the words still being spoken, then closes once; nothing follows', async () => {
      harness.willHear('Please call me back');
      const { stream, log } = await start();
      sendInChunks(stream, await harness.utterance('Please call me back', 0), request);
      await stream.finish();
      expect(log.utterances().map(normalised)).toEqual(['please call me back']);
      expect(log.events.filter(isEnd)).toEqual([{ type: 'closed' }]);
      expect(log.events.at(-1)).toEqual({ type: 'closed' });
      const count = log.events.length;
      stream.send(new Uint8Array(160));
      await stream.finish();
      stream.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(log.events.length).toBe(count);
    });

    it('close drops the stream at once with a single closed event', async () => {
      const { stream, log } = await start();
      stream.send(new Uint8Array(request.sampleRate / 50));
      stream.close();
      await log.until((events) => events.some(isEnd), timeoutMs, 'closed');
      stream.close();
      stream.send(new Uint8Array(160));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(log.events.filter(isEnd)).toEqual([{ type: 'closed' }]);
    });

    it('reports a connection dropped mid-stream as an error event (PROVIDER_UNAVAILABLE), the last event', async (ctx) => {
      if (!harness.dropConnections) return ctx.skip();
      harness.willHear('This will be cut');
      const { stream, log } = await start();
      sendInChunks(stream, await harness.utterance('This will be cut', 0), request);
      harness.dropConnections();
      await log.until((events) => events.some(isEnd), timeoutMs, 'the end of the stream');
      const last = log.events.at(-1);
      expect(last?.type).toBe('error');
      if (last?.type === 'error') expect(last.error.code).toBe('PROVIDER_UNAVAILABLE');
      expect(log.events.filter(isEnd).length).toBe(1);
      stream.send(new Uint8Array(160));
      await stream.finish();
      expect(log.events.filter(isEnd).length).toBe(1);
    });

    it('refuses bad credentials with PROVIDER_AUTH_FAILED, revealing no secret', async (ctx) => {
      if (!harness.refuseCredentialsNext) return ctx.skip();
      harness.refuseCredentialsNext();
      await expectFailure(port.open(request, () => undefined), 'PROVIDER_AUTH_FAILED', secrets);
    });

    it('refuses when the provider is unavailable with PROVIDER_UNAVAILABLE, then works again', async (ctx) => {
      if (!harness.unavailableNext) return ctx.skip();
      harness.unavailableNext();
      await expectFailure(port.open(request, () => undefined), 'PROVIDER_UNAVAILABLE', secrets);
      harness.willHear('Back again');
      const { stream, log } = await start();
      sendInChunks(stream, await harness.utterance('Back again'), request);
      await log.until(() => log.utterances().length === 1, timeoutMs, 'an utterance after recovery');
      expect(log.utterances().map(normalised)).toEqual(['back again']);
    });

    it('keeps concurrent streams apart', async () => {
      harness.willHear('first caller speaking');
      const a = await start();
      sendInChunks(a.stream, await harness.utterance('first caller speaking'), request);
      await a.log.until(() => a.log.utterances().length === 1, timeoutMs, 'the first stream\'s utterance');
      harness.willHear('second caller speaking');
      const b = await start();
      sendInChunks(b.stream, await harness.utterance('second caller speaking'), request);
      await b.log.until(() => b.log.utterances().length === 1, timeoutMs, 'the second stream\'s utterance');
      expect(a.log.utterances().map(normalised)).toEqual(['first caller speaking']);
      expect(b.log.utterances().map(normalised)).toEqual(['second caller speaking']);
    });
  });
}
