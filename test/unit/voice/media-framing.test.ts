import { describe, expect, it } from 'vitest';
import { encodeMulaw } from '../../../adapters/audio/mulaw.js';
import { pcm16FromLittleEndian } from '../../../adapters/audio/pcm16.js';
import { mediaFraming } from '../../../hosts/voice/media-framing.js';
import { PacedAudio } from '../../../hosts/voice/paced-audio.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('media framing per provider', () => {
  it('Vonage: binary frames are the caller\'s L16 audio; its text events are the start, marks and key presses', () => {
    const vonage = mediaFraming('vonage-websocket');
    expect(vonage.audio).toEqual({ encoding: 'linear16', sampleRate: 16_000 });
    expect(vonage.parse(json({ event: 'websocket:connected', 'content-type': 'audio/l16;rate=16000', callId: 'call_1' }), false))
      .toEqual({ event: 'start', providerCallId: null, supported: true });
    // A leg of another rate is not the audio our recogniser was opened for: refused, not misheard.
    expect(vonage.parse(json({ event: 'websocket:connected', 'content-type': 'audio/l16;rate=8000' }), false)).toMatchObject({ supported: false });
    const frame = Buffer.alloc(640, 7);
    expect(vonage.parse(frame, true)).toEqual({ event: 'media', audio: new Uint8Array(frame) });
    expect(vonage.parse(json({ event: 'websocket:notify', payload: { name: 's3' } }), false)).toEqual({ event: 'mark', name: 's3' });
    expect(vonage.parse(json({ event: 'websocket:dtmf', digit: '#', duration: 250 }), false)).toEqual({ event: 'dtmf', digit: '#' });
    expect(vonage.parse(json({ event: 'websocket:cleared' }), false)).toEqual({ event: 'ignored' });
    expect(vonage.parse(Buffer.from('not json'), false)).toBeNull();
    expect(vonage.parse(json({ event: 'websocket:dtmf', digit: 'x' }), false)).toBeNull();
  });

  it('Vonage: paced audio goes out as binary 640-byte frames, marks as notify, barge-in as clear', () => {
    const vonage = mediaFraming('vonage-websocket');
    const sent: Array<string | Uint8Array> = [];
    const audio = new PacedAudio(vonage.sink((data) => sent.push(data)), () => 0, vonage.frames);
    // 100 ms of 8 kHz μ-law speech becomes 100 ms of 16 kHz L16: five frames, the first sent at once.
    const speech = vonage.speech(encodeMulaw(Int16Array.from({ length: 800 }, (_, i) => Math.round(8000 * Math.sin(i / 5)))));
    expect(speech.length).toBe(3200);
    expect(Math.max(...pcm16FromLittleEndian(speech).map(Math.abs))).toBeGreaterThan(4000);
    audio.enqueue(speech.subarray(0, 1000));
    audio.mark('s1');
    expect(sent).toHaveLength(1);
    expect((sent[0] as Uint8Array).length).toBe(640);
    audio.clear();
    expect(sent.at(-1)).toBe(JSON.stringify({ action: 'clear' }));
    audio.close();
    const marks: Array<string | Uint8Array> = [];
    vonage.sink((data) => marks.push(data)).mark('s2');
    expect(marks).toEqual([JSON.stringify({ action: 'notify', payload: { name: 's2' } })]);
  });

  it('Twilio: JSON envelopes of base64 μ-law by stream id, as before', () => {
    const twilio = mediaFraming(undefined);
    expect(twilio.audio).toEqual({ encoding: 'mulaw', sampleRate: 8000 });
    expect(twilio.parse(json({ event: 'start', start: { streamSid: 'MZ1', callSid: 'CA1', mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 } } }), false))
      .toEqual({ event: 'start', providerCallId: 'CA1', supported: true });
    expect(twilio.parse(json({ event: 'media', media: { payload: Buffer.from([1, 2]).toString('base64') } }), false)).toEqual({ event: 'media', audio: Buffer.from([1, 2]) });
    expect(twilio.parse(Buffer.alloc(160), true)).toBeNull();
    const sent: Array<string | Uint8Array> = [];
    twilio.sink((data) => sent.push(data)).clear();
    expect(JSON.parse(sent[0] as string)).toEqual({ event: 'clear', streamSid: 'MZ1' });
    expect(twilio.speech(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2, 3));
  });
});
