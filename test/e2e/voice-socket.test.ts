import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockBrain } from '../../adapters/mock/mock-brain.js';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import type { CallLogRecord } from '../../ports/records.js';
import { eventually } from '../support/callback-receiver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A ConversationRelay peer written by hand: the protocol as the provider speaks it, signed as the demo provider signs. */
class RelayPeer {
  readonly received: Array<Record<string, unknown>> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.received.push(JSON.parse(data.toString()) as Record<string, unknown>));
  }

  static open(wssUrl: string, signature: string | null): Promise<RelayPeer | { refused: number }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wssUrl.replace(/^wss?:\/\/[^/]+/, (m) => m), { headers: signature ? { 'x-mock-signature': signature } : {} });
      ws.once('open', () => resolve(new RelayPeer(ws)));
      ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
      ws.once('error', reject);
    });
  }

  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The text tokens after index `from`, up to and including the one with last:true. */
  async turn(from: number): Promise<{ text: string; end: number }> {
    const end = await eventually(() => {
      const i = this.received.findIndex((m, index) => index >= from && m.type === 'text' && m.last === true);
      return i >= 0 ? i : undefined;
    });
    const text = this.received.slice(from, end + 1).filter((m) => m.type === 'text').map((m) => String(m.token)).join('');
    return { text, end: end + 1 };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

describe('voice socket host (demo provider and demo brain)', () => {
  let server: TestServer;
  let agentId: string;
  let brain: MockBrain;

  beforeAll(async () => {
    server = await startTestServer({ extra: { brain: { use: 'mock', options: { replies: ['Sure, I can help with that booking today.'] } } } });
    agentId = (await server.createAgent({ name: 'Voice', phone: '+15550100061' })).agentId;
    brain = server.app.ports.brain!.port as MockBrain;
  });
  afterAll(() => server?.close());

  async function liveCall(providerCallId: string): Promise<{ call: CallLogRecord; url: string }> {
    const now = new Date();
    const call: CallLogRecord = {
      id: `call_${providerCallId}`, agentId, direction: 'inbound', from: '+15550100162', to: '+15550100061', status: 'in-progress',
      history: [], provider: 'mock', providerCallId, audioUrl: null, audioKey: null, startedAt: now, answeredAt: now, endedAt: null,
      durationSeconds: null, priceMicros: null, currency: null, errorCode: null, errorMessage: null, metadata: { kind: 'conversation' },
      createdAt: now, updatedAt: now, version: 1,
    };
    await server.app.ports.db.calls.insert(call);
    return { call, url: `${server.url.replace(/^http/, 'ws')}/voice/relay/${call.id}` };
  }

  const connect = async (url: string): Promise<RelayPeer> => {
    const peer = await RelayPeer.open(url, signMockWebhook('demo-secret', url, ''));
    if (!(peer instanceof RelayPeer)) throw new Error(`refused with ${peer.refused}`);
    return peer;
  };

  it('answers each prompt with streamed tokens ending in last:true, and stores the transcript', async () => {
    const { call, url } = await liveCall('CA01');
    const peer = await connect(url);
    peer.send({ type: 'setup', sessionId: 'VX1', callSid: 'CA01', from: call.from, to: call.to, direction: 'inbound', customParameters: { callId: call.id } });
    peer.send({ type: 'prompt', voicePrompt: 'I would like to book a table', lang: 'en-US', last: true });
    const first = await peer.turn(0);
    expect(first.text).toBe('Sure, I can help with that booking today.');
    expect(peer.received.filter((m) => m.type === 'text').length).toBeGreaterThan(3);
    await peer.close();
    const turns = await eventually(async () => {
      const list = await server.app.ports.db.turns.list(call.id);
      return list.length === 2 ? list : undefined;
    });
    expect(turns.map((t) => [t.speaker, t.text, t.interrupted])).toEqual([
      ['caller', 'I would like to book a table', false],
      ['agent', 'Sure, I can help with that booking today.', false],
    ]);
    expect(brain.requests.at(-1)?.history.at(-1)).toEqual({ role: 'user', text: 'I would like to book a table' });
  });

  it('keeps only what the caller heard when they interrupt, and the brain remembers that', async () => {
    const { call, url } = await liveCall('CA02');
    const peer = await connect(url);
    peer.send({ type: 'setup', callSid: 'CA02', customParameters: {} });
    peer.send({ type: 'prompt', voicePrompt: 'Hello', last: true });
    await peer.turn(0);
    // The whole reply was generated, but the caller cut in after the first words.
    peer.send({ type: 'interrupt', utteranceUntilInterrupt: 'Sure, I can', durationUntilInterruptMs: 700 });
    peer.send({ type: 'prompt', voicePrompt: 'Actually, cancel it', last: true });
    await eventually(() => (brain.requests.at(-1)?.history.length === 3 ? true : undefined));
    expect(brain.requests.at(-1)!.history).toEqual([
      { role: 'user', text: 'Hello' },
      { role: 'assistant', text: 'Sure, I can' },
      { role: 'user', text: 'Actually, cancel it' },
    ]);
    await peer.close();
    const turns = await eventually(async () => {
      const list = await server.app.ports.db.turns.list(call.id);
      return list.length === 4 ? list : undefined;
    });
    expect(turns[1]).toMatchObject({ speaker: 'agent', text: 'Sure, I can', interrupted: true });
  });

  it('refuses an upgrade with a forged or missing signature, and a setup for another call', async () => {
    const { url } = await liveCall('CA03');
    expect(await RelayPeer.open(url, 'f'.repeat(64))).toEqual({ refused: 403 });
    expect(await RelayPeer.open(url, null)).toEqual({ refused: 403 });
    const peer = await connect(url);
    const closed = new Promise<number>((resolve) => peer.ws.once('close', (code) => resolve(code)));
    peer.send({ type: 'setup', callSid: 'CA-someone-else', customParameters: {} });
    expect(await closed).toBe(1008);
  });

  it('survives malformed messages: they are ignored, the socket stays up, the server unaffected', async () => {
    const { url } = await liveCall('CA04');
    const peer = await connect(url);
    peer.send({ type: 'setup', callSid: 'CA04', customParameters: {} });
    for (const bad of ['not json', '{"type":"prompt"}', '{"type":"dtmf","digit":"xx"}', '[1,2,3]', '{"type":"unknown"}', 'null']) peer.send(bad);
    peer.send({ type: 'dtmf', digit: '5' });
    const { text } = await peer.turn(0);
    expect(text.length).toBeGreaterThan(0);
    expect(peer.ws.readyState).toBe(WebSocket.OPEN);
    expect(brain.requests.at(-1)!.history.at(-1)).toEqual({ role: 'user', text: '(the caller pressed 5)' });
    await peer.close();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('speaks an apology when the brain fails mid-reply, and the call goes on', async () => {
    const { call, url } = await liveCall('CA05');
    const peer = await connect(url);
    peer.send({ type: 'setup', callSid: 'CA05', customParameters: {} });
    brain.failNext('PROVIDER_UNAVAILABLE', 2);
    peer.send({ type: 'prompt', voicePrompt: 'Are you there?', last: true });
    const failed = await peer.turn(0);
    expect(failed.text.endsWith(server.app.ports.settings.voice.apology)).toBe(true);
    peer.send({ type: 'prompt', voicePrompt: 'Try again', last: true });
    const next = await peer.turn(failed.end);
    expect(next.text).toBe('Sure, I can help with that booking today.');
    await peer.close();
    const turns = await eventually(async () => {
      const list = await server.app.ports.db.turns.list(call.id);
      return list.length === 4 ? list : undefined;
    });
    expect(turns[1]!.text.endsWith(server.app.ports.settings.voice.apology)).toBe(true);
  });

  it('cancels the reply in flight on interrupt: no more tokens are sent for it', async () => {
    const { url } = await liveCall('CA06');
    const peer = await connect(url);
    peer.send({ type: 'setup', callSid: 'CA06', customParameters: {} });
    brain.scriptNext({ tokens: ['One', ' two', ' three', ' four', ' five', ' six', ' seven', ' eight'], tokenDelayMs: 40 });
    peer.send({ type: 'prompt', voicePrompt: 'Count for me', last: true });
    await eventually(() => (peer.received.filter((m) => m.type === 'text').length >= 2 ? true : undefined));
    peer.send({ type: 'interrupt', utteranceUntilInterrupt: 'One two', durationUntilInterruptMs: 300 });
    await new Promise((r) => setTimeout(r, 400));
    const tokens = peer.received.filter((m) => m.type === 'text');
    expect(tokens.length).toBeLessThan(6);
    expect(tokens.some((m) => m.last === true)).toBe(false);
    await peer.close();
  });
});
