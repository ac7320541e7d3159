import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/test-server.js';
import { rejection } from '../../contracts/domain-error-assertions.js';

const brain = { use: 'mock', options: {} };

describe('the media-stream transport needs a recogniser and a voice that speaks μ-law', () => {
  it('refuses to start as the server-wide transport with an MP3-only TTS (Edge), naming the fix', async () => {
    const err = await rejection(startTestServer({ extra: { brain, stt: { use: 'mock' }, tts: { use: 'edge' }, voice: { transport: 'media-stream' } } }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/voice\.transport is media-stream: .*edge.* μ-law/);
  });

  it('refuses to start as the server-wide transport without an stt adapter', async () => {
    const err = await rejection(startTestServer({ extra: { brain, tts: { use: 'mock' }, voice: { transport: 'media-stream' } } }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/speech-to-text/);
  });

  it('refuses an agent set to media-stream on a server that cannot carry it, and keeps the agent unchanged', async () => {
    const server = await startTestServer({ extra: { brain, tts: { use: 'edge' } } });
    try {
      const agent = await server.createAgent({ name: 'Voice', phone: '+15550100061' });
      const err = await rejection(server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId: agent.agentId, voice: { transport: 'media-stream', greeting: 'Hi' } }));
      expect(err.code).toBe('CHANNEL_NOT_CONFIGURED');
      expect((await server.app.ports.db.agents.findById(agent.agentId))?.voice).toEqual({});
      // The provider-side transport needs neither.
      await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId: agent.agentId, voice: { transport: 'conversationrelay' } });
      expect((await server.app.ports.db.agents.findById(agent.agentId))?.voice).toEqual({ transport: 'conversationrelay' });
    } finally {
      await server.close();
    }
  });

  it('starts in demo mode with the mock recogniser and mock voice on media streams', async () => {
    const server = await startTestServer({ extra: { brain, stt: { use: 'mock' }, tts: { use: 'mock' }, voice: { transport: 'media-stream' } } });
    await server.close();
    expect(server.app.ports.stt?.id).toBe('mock');
  });
});
