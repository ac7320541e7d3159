import { describe, expect, it, vi } from 'vitest';
import { MockTts } from '../../../adapters/mock/mock-tts.js';
import { silentLogger } from '../../../adapters/node/pino-logger.js';
import { ReplySpeaker } from '../../../hosts/voice/reply-speaker.js';
import { CallerTurns, callerSpeaks } from '../../../core/conversation/caller-turns.js';
import { summariseLatency, TurnClock } from '../../../core/conversation/turn-latency.js';
import { PacedAudio } from '../../../hosts/voice/paced-audio.js';
import { SentenceSplitter } from '../../../hosts/voice/sentences.js';
import type { CallTurnRecord } from '../../../ports/records.js';

function recordingSink() {
  const events: string[] = [];
  let done: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => { done = resolve; });
  return {
    events,
    drained,
    sink: {
      media: (frame: Uint8Array) => events.push(`frame:${frame.length}:${frame[0]}:${frame[frame.length - 1]}`),
      mark: (name: string) => {
        events.push(`mark:${name}`);
        if (name === 'end') done();
      },
      clear: () => events.push('clear'),
    },
  };
}

describe('PacedAudio', () => {
  it('sends 160-byte frames in order, pads the last with μ-law silence, and puts each mark after the audio before it', async () => {
    const { events, drained, sink } = recordingSink();
    const audio = new PacedAudio(sink);
    let firstSent = 0;
    audio.enqueue(new Uint8Array(400).fill(1), () => (firstSent += 1));
    audio.mark('one');
    audio.enqueue(new Uint8Array(160).fill(2));
    audio.mark('end');
    await drained;
    expect(events).toEqual(['frame:160:1:1', 'frame:160:1:1', 'frame:160:1:255', 'mark:one', 'frame:160:2:2', 'mark:end']);
    expect(firstSent).toBe(1);
    expect(audio.idle).toBe(true);
  });

  it('clear drops what is queued and tells the provider; later audio plays on a new schedule', async () => {
    const { events, drained, sink } = recordingSink();
    const audio = new PacedAudio(sink);
    audio.enqueue(new Uint8Array(160 * 50).fill(3));
    audio.mark('never');
    audio.clear();
    expect(audio.idle).toBe(true);
    audio.enqueue(new Uint8Array(160).fill(4));
    audio.mark('end');
    await drained;
    const frames = events.filter((e) => e.startsWith('frame'));
    expect(frames.length).toBeLessThan(50);
    expect(events).not.toContain('mark:never');
    expect(events.slice(events.indexOf('clear'))).toEqual(['clear', 'frame:160:4:4', 'mark:end']);
  });

  it('sends nothing once closed', async () => {
    const { events, sink } = recordingSink();
    const audio = new PacedAudio(sink);
    audio.close();
    audio.enqueue(new Uint8Array(320));
    audio.mark('x');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(events).toEqual([]);
  });
});

describe('SentenceSplitter', () => {
  it('gives each sentence as soon as it is complete, and the rest on flush', () => {
    const splitter = new SentenceSplitter();
    expect(splitter.push('Of course')).toEqual([]);
    expect(splitter.push('. Which day')).toEqual(['Of course.']);
    expect(splitter.push(' suits you? Tue')).toEqual(['Which day suits you?']);
    expect(splitter.flush()).toBe('Tue');
    expect(splitter.flush()).toBeNull();
  });

  it('cuts a long run-on sentence at a clause boundary rather than waiting for its end', () => {
    const splitter = new SentenceSplitter();
    const pieces = splitter.push(`${'word '.repeat(40)}and then, ${'more '.repeat(5)}`);
    expect(pieces).toHaveLength(1);
    expect(pieces[0]!.endsWith('and then,')).toBe(true);
  });
});

describe('CallerTurns', () => {
  const transcript = (text: string, isFinal: boolean, speechFinal: boolean, endSeconds = 1) =>
    ({ type: 'transcript' as const, text, isFinal, speechFinal, startSeconds: 0, endSeconds });

  it('joins the final pieces of one utterance into one turn when speech ends; interim results make no turn', () => {
    const turns = new CallerTurns();
    expect(turns.push({ type: 'speech-started', atSeconds: 0.2 })).toBeNull();
    expect(turns.push(transcript('I need', false, false))).toBeNull();
    expect(turns.push(transcript('I need an', true, false, 1.2))).toBeNull();
    expect(turns.push(transcript('appointment', true, true, 1.9))).toEqual({ text: 'I need an appointment', endSeconds: 1.9 });
    expect(turns.push({ type: 'utterance-end', lastWordEndSeconds: 1.9 })).toBeNull();
    expect(turns.push(transcript('Tuesday', true, false, 3))).toBeNull();
    expect(turns.push({ type: 'utterance-end', lastWordEndSeconds: 3 })).toEqual({ text: 'Tuesday', endSeconds: 3 });
  });

  it('counts only words as the caller speaking (a barge-in never fires on noise)', () => {
    expect(callerSpeaks({ type: 'speech-started', atSeconds: 0 })).toBe(false);
    expect(callerSpeaks(transcript('  ', false, false))).toBe(false);
    expect(callerSpeaks(transcript('wait', false, false))).toBe(true);
  });
});

describe('turn latency', () => {
  it('measures each stage between its marks; stages with a missing mark are null', () => {
    let now = 0;
    const clock = new TurnClock(() => now);
    clock.mark('speechEnd', 100);
    clock.mark('sttFinal', 400);
    now = 700;
    clock.mark('firstToken');
    clock.mark('firstToken', 999);
    expect(clock.latency()).toEqual({ sttMs: 300, brainMs: 300, ttsMs: null, sendMs: null, totalMs: null });
    clock.mark('firstAudio', 800);
    clock.mark('firstFrame', 801);
    expect(clock.latency()).toEqual({ sttMs: 300, brainMs: 300, ttsMs: 100, sendMs: 1, totalMs: 701 });
  });

  it('summarises p50, p95 and max per stage over the measured turns', () => {
    const turn = (latency: CallTurnRecord['latency']): CallTurnRecord => ({ id: 't', callId: 'c', seq: 1, speaker: 'agent', text: '', interrupted: false, createdAt: new Date(0), latency });
    const turns = [10, 20, 30, 40].map((brainMs) => turn({ sttMs: null, brainMs, ttsMs: null, sendMs: null, totalMs: null }));
    expect(summariseLatency([...turns, turn(null)])).toEqual({ turns: 4, brainMs: { turns: 4, p50Ms: 20, p95Ms: 40, maxMs: 40 } });
    expect(summariseLatency([turn(null)])).toBeNull();
  });
});

describe('ReplySpeaker', () => {
  const setup = () => {
    const { events, sink } = recordingSink();
    const tts = new MockTts();
    const audio = new PacedAudio(sink);
    const ended: string[] = [];
    const speaker = new ReplySpeaker({ tts: { id: 'mock', port: tts }, audio, logger: silentLogger(), ended: (data) => ended.push(data) });
    const marks = () => events.filter((e) => e.startsWith('mark:')).map((e) => e.slice(5));
    return { events, tts, audio, speaker, ended, marks };
  };

  it('speaks each sentence in order with a mark after it; what was heard is what the marks confirm', async () => {
    const { tts, speaker, marks } = setup();
    let firstAudio = 0;
    let firstFrame = 0;
    speaker.replyStarted({ firstAudio: () => (firstAudio += 1), firstFrame: () => (firstFrame += 1) });
    speaker.text('One. Two', false);
    speaker.text(' three.', true);
    expect(speaker.speaking).toBe(true);
    await vi.waitFor(() => expect(marks()).toHaveLength(2), { timeout: 10_000 });
    expect(tts.requests.map((r) => [r.text, r.format])).toEqual([['One.', 'ulaw_8000'], ['Two three.', 'ulaw_8000']]);
    expect([firstAudio, firstFrame]).toEqual([1, 1]);
    speaker.played(marks()[0]!);
    expect(speaker.bargeIn()).toBe('One.');
    expect(speaker.speaking).toBe(false);
  });

  it('falls back to the adapter\'s default voice when the configured one does not exist, instead of going silent', async () => {
    const { tts, speaker, marks } = setup();
    speaker.voice = 'Polly.Joanna';
    speaker.replyStarted({ firstAudio: () => undefined, firstFrame: () => undefined });
    speaker.text('Hello there.', true);
    await vi.waitFor(() => expect(marks()).toHaveLength(1), { timeout: 10_000 });
    expect(tts.requests.at(-1)?.voice).toBeUndefined();
    expect(speaker.voice).toBeUndefined();
  });

  it('ends the conversation only once what was said has been played', async () => {
    const { speaker, ended, marks } = setup();
    speaker.replyStarted({ firstAudio: () => undefined, firstFrame: () => undefined });
    speaker.text('Goodbye.', true);
    speaker.end('{"reason":"hangup"}');
    await vi.waitFor(() => expect(marks()).toHaveLength(1), { timeout: 10_000 });
    expect(ended).toEqual([]);
    speaker.played(marks()[0]!);
    await vi.waitFor(() => expect(ended).toEqual(['{"reason":"hangup"}']));
  });
});
