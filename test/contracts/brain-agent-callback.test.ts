import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentCallbackBrainOptions } from '../../adapters/agent-callback/agent-callback-options.js';
import agentCallbackPlugin from '../../adapters/agent-callback/plugin.js';
import { describeBrainContract } from '../../contracts/brain.js';
import type { BrainPort, BrainRequest } from '../../ports/brain.js';
import { isDomainError, type DomainError } from '../../ports/errors.js';
import { AgentTurnServer } from '../simulators/llm/agent-turn-server.js';
import type { AgentReplyMode } from '../simulators/llm/agent-turn-dialect.js';
import { brainTestContext } from '../simulators/llm/brain-test-context.js';
import { llmBrainHarness } from '../simulators/llm/llm-brain-harness.js';

const TIMEOUT_MS = 600;
const IDLE_TIMEOUT_MS = 400;
const agent = new AgentTurnServer();

function createPort(options: Partial<AgentCallbackBrainOptions> = {}): Promise<BrainPort> {
  return agentCallbackPlugin.create({ timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, ...options }, brainTestContext());
}

beforeAll(() => agent.start());
afterAll(() => agent.stop());

for (const mode of ['sse', 'text'] as const satisfies readonly AgentReplyMode[]) {
  describeBrainContract({
    name: `agent-callback adapter against an agent answering ${mode === 'sse' ? 'text/event-stream' : 'text/plain'}`,
    capabilities: { streaming: true },
    async factory() {
      agent.reset();
      agent.mode = mode;
      return {
        port: await createPort(),
        harness: llmBrainHarness(agent, {
          secrets: [agent.secret], timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS,
          agentEndpoint: { url: agent.callbackUrl, secret: agent.secret },
        }),
      };
    },
  });
}

function turn(overrides: Partial<BrainRequest> = {}): BrainRequest {
  return {
    instructions: 'Be brief.', history: [{ role: 'user', text: 'Hi?' }], callId: 'call_7', agentId: 'agt_7',
    agentEndpoint: { url: agent.callbackUrl, secret: agent.secret }, signal: new AbortController().signal, ...overrides,
  };
}

async function run(port: BrainPort, request: BrainRequest): Promise<{ chunks: string[]; error: DomainError | null }> {
  const chunks: string[] = [];
  try {
    for await (const chunk of port.reply(request)) chunks.push(chunk);
  } catch (err) {
    if (!isDomainError(err)) throw err;
    return { chunks, error: err };
  }
  return { chunks, error: null };
}

/** A hand-written agent for answers the scripted server does not give. */
function rawAgent(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  return {
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('agent-callback adapter specifics', () => {
  let port: BrainPort;
  let stopRaw: (() => Promise<void>) | null = null;

  async function withRawAgent(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const raw = rawAgent(handler);
    const url = await raw.start();
    stopRaw = raw.stop;
    return url;
  }

  beforeEach(async () => {
    agent.reset();
    agent.mode = 'sse';
    agent.sendDone = true;
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    await stopRaw?.();
    stopRaw = null;
  });

  it('is the brain plugin "agent-callback"', () => {
    expect(agentCallbackPlugin).toMatchObject({ apiVersion: 1, port: 'brain', id: 'agent-callback' });
  });

  it('POSTs a voice.turn signed with Standard Webhooks headers that the agent verifies with the standardwebhooks package', async () => {
    agent.enqueue({ text: 'Hello.' });
    expect(await run(port, turn())).toEqual({ chunks: ['Hello.'], error: null });
    const received = agent.lastRequest();
    expect(received?.refused).toBeNull();
    expect(received?.body).toEqual({
      type: 'voice.turn', callId: 'call_7', agentId: 'agt_7', instructions: 'Be brief.', history: [{ role: 'user', text: 'Hi?' }],
    });
    const headers = received?.headers ?? {};
    expect(headers['content-type']).toBe('application/json');
    expect(headers.accept).toContain('text/event-stream');
    expect(headers['webhook-id']).toMatch(/^turn_\d+$/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    expect(() => new Webhook(agent.secret).verify(JSON.stringify(received?.body), headers)).not.toThrow();
  });

  it('maps a signature the agent refuses (another secret) to PROVIDER_AUTH_FAILED without revealing either secret', async () => {
    const otherSecret = `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`;
    const { error } = await run(port, turn({ agentEndpoint: { url: agent.callbackUrl, secret: otherSecret } }));
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 401 } });
    expect(agent.lastRequest()?.refused?.status).toBe(401);
    expect(JSON.stringify([error?.message, error?.nextStep, error?.details])).not.toContain(otherSecret);
  });

  it('refuses a turn for an agent with no callback URL as PROVIDER_REJECTED, telling to set one', async () => {
    const { error } = await run(port, turn({ agentEndpoint: null }));
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', details: { reason: 'no_agent_endpoint', agentId: 'agt_7' } });
    expect(error?.nextStep).toMatch(/callback URL/);
    expect(agent.requests).toHaveLength(0);
  });

  it('refuses a callback URL that is not http(s) without calling anything', async () => {
    const { error } = await run(port, turn({ agentEndpoint: { url: 'file:///etc/passwd', secret: agent.secret } }));
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', details: { reason: 'invalid_callback_url' } });
  });

  it('appends pathSuffix to the agent\'s path, keeping its query', async () => {
    await port.close?.();
    port = await createPort({ pathSuffix: '/voice-turn' });
    agent.enqueue({ text: 'Hi.' });
    await run(port, turn({ agentEndpoint: { url: `${agent.callbackUrl}/?tenant=7`, secret: agent.secret } }));
    expect(agent.lastRequest()?.path).toBe('/agent/voice/voice-turn');
  });

  it('takes an SSE reply without [DONE], and a whole JSON reply as one chunk', async () => {
    agent.sendDone = false;
    agent.enqueue({ tokens: ['No', ' done', ' marker.'] });
    expect(await run(port, turn())).toEqual({ chunks: ['No', ' done', ' marker.'], error: null });
    agent.mode = 'json';
    agent.enqueue({ tokens: ['All', ' at', ' once.'] });
    expect(await run(port, turn())).toEqual({ chunks: ['All at once.'], error: null });
  });

  it('decodes UTF-8 split across chunks, and ends on [DONE] even if the agent keeps the connection open', async () => {
    const url = await withRawAgent((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from('data: {"text":"Thürsday 🚀"}\r\n\r\n');
      res.write(bytes.subarray(0, 17));
      setTimeout(() => {
        res.write(bytes.subarray(17));
        res.write(': keep-alive comment\n\nevent: unknown\ndata: ignored\n\ndata: [DONE]\n\n');
      }, 30);
    });
    expect(await run(port, turn({ agentEndpoint: { url, secret: agent.secret } }))).toEqual({ chunks: ['Thürsday 🚀'], error: null });
  });

  it('says nothing for 204 No Content', async () => {
    const url = await withRawAgent((_req, res) => res.writeHead(204).end());
    expect(await run(port, turn({ agentEndpoint: { url, secret: agent.secret } }))).toEqual({ chunks: [], error: null });
  });

  it.each([
    ['an unknown Content-Type', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>'), 'PROVIDER_REJECTED'],
    ['an SSE event that is not {"text":…}', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: hello\n\n'), 'PROVIDER_REJECTED'],
    ['a redirect (not followed)', (res: ServerResponse) => res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end(), 'PROVIDER_REJECTED'],
    ['404', (res: ServerResponse) => res.writeHead(404).end(), 'PROVIDER_REJECTED'],
    ['503', (res: ServerResponse) => res.writeHead(503).end(), 'PROVIDER_UNAVAILABLE'],
    ['403', (res: ServerResponse) => res.writeHead(403).end(), 'PROVIDER_AUTH_FAILED'],
  ] as const)('maps %s to %s', async (_case, answer, code) => {
    const url = await withRawAgent((_req, res) => answer(res));
    expect((await run(port, turn({ agentEndpoint: { url, secret: agent.secret } }))).error?.code).toBe(code);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const url = await withRawAgent((_req, res) => res.writeHead(429, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }).end());
    const { error } = await run(port, turn({ agentEndpoint: { url, secret: agent.secret } }));
    expect(error?.code).toBe('RATE_LIMITED');
    expect(error?.details.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(error?.details.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  it('maps an agent that is down to PROVIDER_UNAVAILABLE', async () => {
    const gone = new AgentTurnServer();
    await gone.start();
    const url = gone.callbackUrl;
    await gone.stop();
    expect((await run(port, turn({ agentEndpoint: { url, secret: agent.secret } }))).error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE', details: { networkError: 'ECONNREFUSED' },
    });
  });
});
