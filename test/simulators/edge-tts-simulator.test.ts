import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { inspectMpegAudio } from '../../adapters/audio/mpeg-audio.js';
import { ReadAloudConnection } from '../../adapters/edge-tts/read-aloud-connection.js';
import { EdgeTtsSimulator } from './edge-tts/edge-tts-simulator.js';
import { secMsGec, TRUSTED_CLIENT_TOKEN } from './edge-tts/sec-ms-gec.js';

const sim = new EdgeTtsSimulator();
const MP3 = 'audio-24khz-48kbitrate-mono-mp3';

beforeAll(() => sim.start());
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

/** The adapter's client, given the text as is (the adapter escapes it first; here markup reaches the service). */
async function speak(text: string, voice = 'en-US-AriaNeural'): Promise<Uint8Array> {
  const tts = new ReadAloudConnection(sim.wssUrl, () => new Date());
  try {
    return await tts.speak(voice, text, MP3);
  } finally {
    tts.close();
  }
}

/** A raw client that records every frame, to check the wire format itself. */
async function rawExchange(url: string, ssmlVoice: string): Promise<{ text: string[]; binary: Buffer[] }> {
  const ws = new WebSocket(url);
  const text: string[] = [];
  const binary: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      ws.send('Content-Type:application/json; charset=utf-8\r\nPath:speech.config\r\n\r\n{"context":{"synthesis":{"audio":{"outputFormat":"audio-24khz-48kbitrate-mono-mp3"}}}}');
      ws.send(`X-RequestId:abc123\r\nContent-Type:application/ssml+xml\r\nPath:ssml\r\n\r\n<speak version="1.0" xml:lang="en-US"><voice name="${ssmlVoice}">Fish &amp; chips</voice></speak>`);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) binary.push(Buffer.from(data as Buffer));
      else {
        text.push(String(data));
        if (String(data).includes('Path:turn.end')) resolve();
      }
    });
    ws.on('error', reject);
  });
  ws.close();
  return { text, binary };
}

function signedUrl(gec = secMsGec(new Date())): string {
  return `${sim.wssUrl}?TrustedClientToken=${TRUSTED_CLIENT_TOKEN}&Sec-MS-GEC=${gec}&Sec-MS-GEC-Version=1-143.0.3650.96&ConnectionId=x`;
}

describe('Edge TTS simulator', () => {
  it('serves the Read Aloud client: valid 24 kHz MP3 as long as the text, and records what it was asked', async () => {
    const audio = await speak('Hello & welcome to the <test>.');
    const summary = inspectMpegAudio(audio);
    expect(summary?.first).toMatchObject({ version: '2', layer: 3, sampleRate: 24000, bitrateKbps: 48 });
    expect(sim.syntheses).toHaveLength(1);
    // Unescaped here, "<test>" reached the service as markup (the adapter escapes with ssmlText).
    expect(sim.syntheses[0]).toMatchObject({ voice: 'en-US-AriaNeural', text: 'Hello & welcome to the .', outputFormat: 'audio-24khz-48kbitrate-mono-mp3' });
    expect(summary?.durationMs).toBeGreaterThanOrEqual('Hello & welcome to the .'.length * 65);
    expect(sim.syntheses[0]?.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.connections[0]?.query).toMatchObject({ TrustedClientToken: TRUSTED_CLIENT_TOKEN, 'Sec-MS-GEC': secMsGec(new Date()) });
    expect(sim.connections[0]?.headers.origin).toBe('chrome-extension://jdiccldimpdaibmpdkjnbmckianbfold');
  });

  it('frames every message with X-RequestId; audio frames carry a 2-byte header length and Path:audio', async () => {
    const { text, binary } = await rawExchange(signedUrl(), 'en-US-GuyNeural');
    expect(text.map((t) => /Path:([\w.]+)/.exec(t)?.[1])).toEqual(['turn.start', 'response', 'turn.end']);
    for (const frame of text) expect(frame).toContain('X-RequestId:abc123\r\n');
    expect(binary.length).toBeGreaterThan(0);
    const audio: Buffer[] = [];
    for (const frame of binary) {
      const headerLength = frame.readUInt16BE(0);
      const header = frame.subarray(2, 2 + headerLength).toString('utf8');
      expect(header).toMatch(/^X-RequestId:abc123\r\nContent-Type:audio\/mpeg\r\nX-StreamId:[0-9A-F]+\r\nPath:audio\r\n$/);
      audio.push(frame.subarray(2 + headerLength));
    }
    expect(inspectMpegAudio(new Uint8Array(Buffer.concat(audio)))?.first.sampleRate).toBe(24000);
    expect(sim.syntheses[0]?.text).toBe('Fish & chips');
  });

  it('answers an unknown voice with a turn that has no audio', async () => {
    expect((await speak('Hello', 'xx-XX-NobodyNeural')).length).toBe(0);
    const { binary } = await rawExchange(signedUrl(), 'en-US-NobodyNeural');
    expect(binary).toEqual([]);
  });

  it('refuses an upgrade without a current Sec-MS-GEC or client token with 403', async () => {
    const status = (url: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(await status(signedUrl('0'.repeat(64)))).toBe(403);
    expect(await status(signedUrl(secMsGec(new Date(Date.now() - 3_600_000))))).toBe(403);
    expect(await status(`${sim.wssUrl}?Sec-MS-GEC=${secMsGec(new Date())}`)).toBe(403);
    expect(sim.refusedUpgrades.map((r) => r.status)).toEqual([403, 403, 403]);
  });

  it('fault switches: refuse the upgrade, drop the connection mid-stream, hang', async () => {
    sim.refuseNext(503);
    await expect(speak('Hello')).rejects.toThrow(/503/);

    sim.closeMidStreamNext();
    await expect(speak('A sentence long enough to need several audio frames.')).rejects.toThrow(/turn\.end/);

    sim.hangNext();
    const tts = new ReadAloudConnection(sim.wssUrl, () => new Date());
    const speaking = tts.speak('en-US-AriaNeural', 'Hello', MP3);
    speaking.catch(() => undefined);
    const outcome = await Promise.race([speaking.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300))]);
    expect(outcome).toBe('still waiting');
    tts.close();
    await expect(speak('Works again')).resolves.toHaveProperty('length');
  });
});
