import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Turn { seq: number; speaker: string; text: string }
interface CallView { callId: string; agentId: string; direction: string; status: string; from: string; to: string; metadata: Record<string, unknown>; transcript: Turn[] }

const SALES = '+15550100031';
const CLINIC = '+15550100032';
let server: TestServer;
let sales: { agentId: string; token: string };
let clinic: { agentId: string; token: string };
let salesClient: Client;
let clinicClient: Client;

beforeAll(async () => {
  // Demo mode: mock telephony and a demo brain that streams a little slowly, so a call can be ended mid-way.
  server = await startTestServer({ extra: { brain: { use: 'mock', options: { tokenDelayMs: 5 } } } });
  sales = await server.createAgent({ name: 'Sales', phone: SALES });
  clinic = await server.createAgent({ name: 'Clinic', phone: CLINIC });
  await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId: clinic.agentId, voice: { greeting: 'Example Clinic, how can I help?' } });
  salesClient = await connectHttpClient(server.url, sales.token);
  clinicClient = await connectHttpClient(server.url, clinic.token);
});
afterAll(async () => {
  await salesClient?.close();
  await clinicClient?.close();
  await server?.close();
});

async function completed(client: Client, callId: string): Promise<CallView> {
  return eventually(async () => {
    const view = await callOk<CallView>(client, 'comms_get_call', { callId });
    return view.status === 'completed' ? view : undefined;
  }, 20_000);
}

const said = (view: CallView, speaker: string): string[] => view.transcript.filter((t) => t.speaker === speaker).map((t) => t.text);

describe('agent-to-agent calls on one server', () => {
  it('joins the two agents without a provider: each side is a conversation with its own transcript, and what one says the other hears', async () => {
    const placed = await callOk<CallView>(salesClient, 'comms_make_call', { to: CLINIC, purpose: 'Book a demo of our product for next week.' });
    expect(placed.direction).toBe('outbound');
    const outbound = await completed(salesClient, placed.callId);
    const inboundId = String(outbound.metadata.peerCallId);
    const inbound = await completed(clinicClient, inboundId);
    expect(inbound).toMatchObject({ agentId: clinic.agentId, direction: 'inbound', from: SALES, to: CLINIC });
    expect(inbound.metadata.peerCallId).toBe(placed.callId);

    // The callee answered first with its greeting; then they took turns, several of them.
    expect(inbound.transcript[0]).toMatchObject({ speaker: 'agent', text: 'Example Clinic, how can I help?' });
    expect(outbound.transcript[0]).toMatchObject({ speaker: 'caller', text: 'Example Clinic, how can I help?' });
    expect(outbound.transcript.length).toBeGreaterThanOrEqual(6);
    expect(said(outbound, 'agent')).toEqual(said(inbound, 'caller'));
    expect(said(inbound, 'agent')).toEqual(said(outbound, 'caller'));
    for (const [i, turn] of outbound.transcript.entries()) expect(turn.speaker).toBe(i % 2 === 0 ? 'caller' : 'agent');
    // Each brain got its own brief: the caller's purpose is not the callee's instruction.
    const mock = server.app.ports.brain!.port as unknown as { requests: Array<{ agentId: string; instructions: string }> };
    expect(mock.requests.some((r) => r.agentId === sales.agentId && r.instructions.includes('Book a demo'))).toBe(true);
    expect(mock.requests.some((r) => r.agentId === clinic.agentId && r.instructions.includes('Book a demo'))).toBe(false);
  });

  it('starts with the caller\'s first sentence when given, and ends both sides when one is ended', async () => {
    const placed = await callOk<CallView>(salesClient, 'comms_make_call', { to: CLINIC, purpose: 'Ask about prices.', firstSentence: 'Hi, this is Sales calling.' });
    await eventually(() => (server.app.ports.liveCalls.get(placed.callId) ? true : undefined));
    await eventually(async () => ((await server.app.ports.db.turns.list(placed.callId)).length >= 2 ? true : undefined));
    await callOk(salesClient, 'comms_end_call', { callId: placed.callId });
    const outbound = await completed(salesClient, placed.callId);
    const inbound = await completed(clinicClient, String(outbound.metadata.peerCallId));
    expect(outbound.transcript[0]).toMatchObject({ speaker: 'agent', text: 'Hi, this is Sales calling.' });
    expect(inbound.transcript[0]).toMatchObject({ speaker: 'caller', text: 'Hi, this is Sales calling.' });
    expect(outbound.transcript.length).toBeLessThan(12);
    expect(server.app.ports.liveCalls.get(inbound.callId)).toBeUndefined();
  });
});
