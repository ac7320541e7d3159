import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { SimulatedVonageSocket, VONAGE_CONTENT_TYPE } from './vonage/simulated-vonage-socket.js';

/** The simulated Vonage leg against a bare server, to prove that it catches what a wrong server would send. */
let wss: WebSocketServer;
let url = '';
const connections: Array<{ ws: WebSocket; first: unknown }> = [];

beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/voice/media/call_1?token=t`;
  wss.on('connection', (ws) => {
    ws.once('message', (data) => connections.push({ ws, first: JSON.parse(String(data)) as unknown }));
  });
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

async function leg(): Promise<{ leg: SimulatedVonageSocket; ws: WebSocket; first: unknown }> {
  const before = connections.length;
  const opened = new SimulatedVonageSocket({ uuid: `u${before}`, uri: url, contentType: VONAGE_CONTENT_TYPE, headers: { callId: 'call_1' }, connectTimeoutMs: 2000 });
  await opened.connect();
  while (connections.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
  return { leg: opened, ...connections.at(-1)! };
}

describe('simulated Vonage WebSocket leg', () => {
  it('opens with websocket:connected and the NCCO headers, then streams 640-byte caller frames', async () => {
    const { leg: opened, ws, first } = await leg();
    expect(first).toEqual({ event: 'websocket:connected', 'content-type': 'audio/l16;rate=16000', callId: 'call_1' });
    const [frame] = (await once(ws, 'message')) as [Buffer, boolean];
    expect(frame.length).toBe(640);
    opened.markFinished();
  });

  it('flags a server that is not paced, sends frames of the wrong size, or commands Vonage does not know', async () => {
    const { leg: opened, ws } = await leg();
    for (let i = 0; i < 100; i++) ws.send(Buffer.alloc(640, 1));
    ws.send(Buffer.alloc(320));
    ws.send(JSON.stringify({ action: 'mark', name: 'x' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(opened.invalid.some((problem) => problem.includes('ahead of real time'))).toBe(true);
    expect(opened.invalid).toContain('audio frame of 320 bytes, not 640 (20 ms of 16 kHz L16)');
    expect(opened.invalid.some((problem) => problem.startsWith('unknown command'))).toBe(true);
    opened.markFinished();
  });

  it('echoes a notify once the audio before it played, and acknowledges clear by dropping what is buffered', async () => {
    const { leg: opened, ws } = await leg();
    const texts: unknown[] = [];
    ws.on('message', (data, isBinary) => { if (!isBinary) texts.push(JSON.parse(String(data))); });
    ws.send(Buffer.alloc(640, 1));
    ws.send(JSON.stringify({ action: 'notify', payload: { name: 's1' } }));
    await opened.whenHeard(0, 1);
    while (texts.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(texts).toEqual([{ event: 'websocket:notify', payload: { name: 's1' } }]);
    for (let i = 0; i < 20; i++) ws.send(Buffer.alloc(640, 1));
    ws.send(JSON.stringify({ action: 'clear' }));
    while (texts.length === 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(texts[1]).toEqual({ event: 'websocket:cleared' });
    expect(opened.clears).toBe(1);
    expect(opened.playing).toBe(false);
    expect(opened.invalid).toEqual([]);
    opened.markFinished();
  });
});
