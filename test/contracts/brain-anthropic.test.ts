import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CALL_CONNECTED_TURN } from '../../adapters/anthropic/anthropic-messages.js';
import { DEFAULT_ANTHROPIC_MAX_TOKENS, DEFAULT_ANTHROPIC_MODEL, type AnthropicBrainOptions } from '../../adapters/anthropic/anthropic-options.js';
import anthropicPlugin from '../../adapters/anthropic/plugin.js';
import { describeBrainContract } from '../../contracts/brain.js';
import type { BrainPort, BrainRequest } from '../../ports/brain.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { isDomainError, type DomainError } from '../../ports/errors.js';
import { AnthropicSimulator } from '../simulators/llm/anthropic-simulator.js';
import { brainTestContext } from '../simulators/llm/brain-test-context.js';
import { llmBrainHarness } from '../simulators/llm/llm-brain-harness.js';

const TIMEOUT_MS = 600;
const IDLE_TIMEOUT_MS = 400;
const sim = new AnthropicSimulator({ models: [DEFAULT_ANTHROPIC_MODEL, 'claude-haiku-5-5'] });

function createPort(options: Partial<AnthropicBrainOptions> = {}): Promise<BrainPort> {
  return anthropicPlugin.create(
    { apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, ...options },
    brainTestContext(),
  );
}

beforeAll(() => sim.start());
afterAll(() => sim.stop());

describeBrainContract({
  name: 'anthropic adapter against the Anthropic simulator',
  capabilities: { streaming: true },
  async factory() {
    sim.reset();
    return {
      port: await createPort(),
      harness: llmBrainHarness(sim, { secrets: [sim.apiKey], timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS }),
    };
  },
});

async function run(port: BrainPort, overrides: Partial<BrainRequest> = {}): Promise<{ text: string; error: DomainError | null }> {
  let text = '';
  try {
    for await (const chunk of port.reply({
      instructions: 'Be brief.', history: [{ role: 'user', text: 'Hi?' }], callId: 'call_1', agentId: 'agt_1', agentEndpoint: null,
      signal: new AbortController().signal, ...overrides,
    })) text += chunk;
  } catch (err) {
    if (!isDomainError(err)) throw err;
    return { text, error: err };
  }
  return { text, error: null };
}

describe('anthropic adapter specifics', () => {
  let port: BrainPort;

  beforeEach(async () => {
    sim.reset();
    port = await createPort();
  });
  afterEach(() => port.close?.());

  it('is the brain plugin "anthropic", with the key marked secret', () => {
    expect(anthropicPlugin).toMatchObject({ apiVersion: 1, port: 'brain', id: 'anthropic', secrets: ['apiKey'] });
  });

  it('streams from the default model with the default max_tokens, instructions as system, no retries', async () => {
    sim.enqueue({ text: 'Sure thing.' });
    expect(await run(port)).toEqual({ text: 'Sure thing.', error: null });
    expect(sim.lastRequest()?.parsed).toMatchObject({
      model: DEFAULT_ANTHROPIC_MODEL, maxTokens: DEFAULT_ANTHROPIC_MAX_TOKENS, stream: true, system: 'Be brief.',
    });
    expect(sim.lastRequest()?.body).not.toHaveProperty('temperature');
  });

  it('joins consecutive turns of one role, drops empty ones, and starts with a user turn as the API requires', async () => {
    sim.enqueue({ text: 'OK.' });
    const history: BrainRequest['history'] = [
      { role: 'assistant', text: 'Hello, this is Ada.' },
      { role: 'assistant', text: 'Is this a good time?' },
      { role: 'user', text: 'Yes.' },
      { role: 'assistant', text: '' },
      { role: 'user', text: 'Go on.' },
    ];
    expect((await run(port, { history })).error).toBeNull();
    expect(sim.lastRequest()?.parsed?.messages).toEqual([
      { role: 'user', content: CALL_CONNECTED_TURN },
      { role: 'assistant', content: 'Hello, this is Ada.\nIs this a good time?' },
      { role: 'user', content: 'Yes.\nGo on.' },
    ]);
  });

  it('answers an empty history (the agent speaks first) and sends no system prompt for empty instructions', async () => {
    sim.enqueue({ text: 'Hello!' });
    expect(await run(port, { history: [], instructions: '  ' })).toEqual({ text: 'Hello!', error: null });
    expect(sim.lastRequest()?.parsed).toMatchObject({ system: null, messages: [{ role: 'user', content: CALL_CONNECTED_TURN }] });
  });

  it('uses the configured model and max_tokens', async () => {
    await port.close?.();
    port = await createPort({ model: 'claude-haiku-5-5', maxTokens: 3 });
    sim.enqueue({ text: 'one two three four five' });
    expect((await run(port)).text).toBe('one two three');
    expect(sim.lastRequest()?.parsed).toMatchObject({ model: 'claude-haiku-5-5', maxTokens: 3 });
  });

  it.each([
    [529, 'PROVIDER_UNAVAILABLE', 'overloaded_error'],
    [403, 'PROVIDER_AUTH_FAILED', 'permission_error'],
    [402, 'PROVIDER_REJECTED', 'billing_error'],
    [413, 'PROVIDER_REJECTED', 'request_too_large'],
  ] as const)('maps HTTP %i to %s', async (status, code, providerType) => {
    sim.failNext({ kind: 'status', status });
    const { error } = await run(port);
    expect(error).toMatchObject({ code, details: { provider: 'anthropic', providerStatus: status, providerType } });
    expect(sim.requests).toHaveLength(1);
  });

  it('maps an unknown model to PROVIDER_REJECTED, pointing at the model option', async () => {
    await port.close?.();
    port = await createPort({ model: 'claude-nonexistent' });
    const { error } = await run(port);
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerStatus: 404 } });
    expect(error?.nextStep).toContain('model');
  });

  it('maps an in-stream rate_limit_error to RATE_LIMITED, and overloaded_error to PROVIDER_UNAVAILABLE', async () => {
    sim.enqueue({ text: 'a b c', fault: { kind: 'error-mid-stream', afterTokens: 1, errorType: 'rate_limit_error', message: 'slow down' } });
    expect(await run(port)).toMatchObject({ text: 'a', error: { code: 'RATE_LIMITED', details: { midStream: true } } });
    sim.enqueue({ text: 'a b c', fault: { kind: 'error-mid-stream', afterTokens: 2 } });
    expect(await run(port)).toMatchObject({ text: 'a b', error: { code: 'PROVIDER_UNAVAILABLE', details: { providerType: 'overloaded_error' } } });
  });

  it('maps a wrong key to PROVIDER_AUTH_FAILED without revealing it', async () => {
    await port.close?.();
    port = await createPort({ apiKey: 'sk-ant-api03-wrong-key-0123456789' });
    const { error } = await run(port);
    expect(error?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(JSON.stringify([error?.message, error?.nextStep, error?.details, error?.stack])).not.toContain('wrong-key-0123456789');
  });

  it('checks its credentials by listing models, spending no tokens; a wrong key fails PROVIDER_AUTH_FAILED', async () => {
    const check = (p: BrainPort) => (p as BrainPort & CredentialCheck).checkCredentials();
    expect(await check(port)).toBe(`API key accepted, model ${DEFAULT_ANTHROPIC_MODEL} listed`);
    expect(await check(await createPort({ model: 'claude-other' }))).toBe('API key accepted, model claude-other not among the 2 listed');
    const refused = await check(await createPort({ apiKey: 'sk-ant-wrong-0123456789' })).catch((err: unknown) => err as DomainError);
    expect(refused).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    expect(JSON.stringify(refused)).not.toContain('sk-ant-wrong-0123456789');
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('GET /v1/models'));
  });

  it('maps a refused connection to PROVIDER_UNAVAILABLE', async () => {
    const gone = new AnthropicSimulator();
    await gone.start();
    const baseUrl = gone.baseUrl;
    await gone.stop();
    await port.close?.();
    port = await createPort({ baseUrl });
    expect((await run(port)).error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { networkError: 'ECONNREFUSED' } });
  });

  it('applies the first-token deadline to a server that never sends headers', async () => {
    sim.failNext({ kind: 'hang' });
    const started = Date.now();
    const { error } = await run(port);
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT', details: { phase: 'first-token', timeoutMs: TIMEOUT_MS } });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    const last = sim.lastRequest();
    if (!last) throw new Error('no request');
    expect(await sim.finished(last)).toBe(true);
    expect(last.clientAborted).toBe(true);
  });
});
