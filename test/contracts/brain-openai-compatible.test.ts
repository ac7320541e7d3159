import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenAiCompatibleBrainOptions } from '../../adapters/openai-compatible/openai-compatible-options.js';
import openAiCompatiblePlugin from '../../adapters/openai-compatible/plugin.js';
import { describeBrainContract } from '../../contracts/brain.js';
import type { BrainPort, BrainRequest } from '../../ports/brain.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { isDomainError, type DomainError } from '../../ports/errors.js';
import { brainTestContext } from '../simulators/llm/brain-test-context.js';
import { llmBrainHarness } from '../simulators/llm/llm-brain-harness.js';
import { OpenAiSimulator } from '../simulators/llm/openai-simulator.js';

const TIMEOUT_MS = 600;
const IDLE_TIMEOUT_MS = 400;
const MODEL = 'gpt-sim-mini';
const sim = new OpenAiSimulator({ models: [MODEL, 'llama3.2'] });
/** A local server (Ollama, vLLM, LM Studio) that takes no key. */
const local = new OpenAiSimulator({ apiKey: null });

function createPort(options: Partial<OpenAiCompatibleBrainOptions> = {}): Promise<BrainPort> {
  return openAiCompatiblePlugin.create(
    { model: MODEL, apiKey: sim.apiKey ?? undefined, baseUrl: sim.baseUrl, timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, ...options },
    brainTestContext(),
  );
}

beforeAll(() => Promise.all([sim.start(), local.start()]));
afterAll(() => Promise.all([sim.stop(), local.stop()]));

describeBrainContract({
  name: 'openai-compatible adapter against the OpenAI simulator',
  capabilities: { streaming: true },
  async factory() {
    sim.reset();
    return {
      port: await createPort(),
      harness: llmBrainHarness(sim, { secrets: [sim.apiKey ?? ''], timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS }),
    };
  },
});

describeBrainContract({
  name: 'openai-compatible adapter against a keyless local server',
  capabilities: { streaming: true },
  async factory() {
    local.reset();
    return {
      port: await openAiCompatiblePlugin.create({ model: 'llama3.2', baseUrl: `${local.baseUrl}/`, timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS }, brainTestContext()),
      harness: llmBrainHarness(local, { secrets: [], timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS }),
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

describe('openai-compatible adapter specifics', () => {
  let port: BrainPort;

  beforeEach(async () => {
    sim.reset();
    local.reset();
    port = await createPort();
  });
  afterEach(() => port.close?.());

  it('is the brain plugin "openai-compatible", with the key marked secret and the model required', () => {
    expect(openAiCompatiblePlugin).toMatchObject({ apiVersion: 1, port: 'brain', id: 'openai-compatible', secrets: ['apiKey'] });
    expect(openAiCompatiblePlugin.optionsSchema.required).toEqual(['model']);
  });

  it('checks its credentials by listing models, spending no tokens; a keyless local server answers; a wrong key fails PROVIDER_AUTH_FAILED', async () => {
    const check = (p: BrainPort) => (p as BrainPort & CredentialCheck).checkCredentials();
    expect(await check(port)).toBe(`API key accepted, model ${MODEL} listed`);
    expect(await check(await createPort({ apiKey: undefined, baseUrl: local.baseUrl }))).toBe(`no API key configured; the server answers, model ${MODEL} not among the 2 listed`);
    const refused = await check(await createPort({ apiKey: 'sk-wrong-0123456789' })).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    expect(JSON.stringify(refused)).not.toContain('sk-wrong-0123456789');
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models', 'GET /v1/models']);
  });

  it('sends the instructions as the system message, and no max_tokens or temperature unless configured', async () => {
    sim.enqueue({ text: 'Sure.' });
    expect(await run(port)).toEqual({ text: 'Sure.', error: null });
    const body = sim.lastRequest()?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: MODEL, stream: true, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi?' }] });
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('temperature');
  });

  it('sends maxTokens under the configured parameter name, and the temperature', async () => {
    await port.close?.();
    port = await createPort({ maxTokens: 2, maxTokensParameter: 'max_completion_tokens', temperature: 0.3 });
    sim.enqueue({ text: 'one two three' });
    expect((await run(port)).text).toBe('one two');
    expect(sim.lastRequest()?.body).toMatchObject({ max_completion_tokens: 2, temperature: 0.3 });
    await port.close?.();
    port = await createPort({ maxTokens: 5 });
    sim.enqueue({ text: 'Hi.' });
    await run(port);
    expect(sim.lastRequest()?.body).toMatchObject({ max_tokens: 5 });
  });

  it('joins consecutive turns of one role (chat templates want alternation) and drops empty ones; no system message for empty instructions', async () => {
    sim.enqueue({ text: 'OK.' });
    const history: BrainRequest['history'] = [
      { role: 'assistant', text: 'Hello.' }, { role: 'assistant', text: 'Anyone there?' }, { role: 'user', text: '' }, { role: 'user', text: 'Yes.' },
    ];
    await run(port, { history, instructions: '' });
    expect(sim.lastRequest()?.parsed).toMatchObject({
      system: null, messages: [{ role: 'assistant', content: 'Hello.\nAnyone there?' }, { role: 'user', content: 'Yes.' }],
    });
  });

  it('sends a placeholder Bearer key to a local server when no apiKey is configured', async () => {
    await port.close?.();
    port = await openAiCompatiblePlugin.create({ model: 'llama3.2', baseUrl: local.baseUrl }, brainTestContext());
    local.enqueue({ text: 'Local hello.' });
    expect(await run(port)).toEqual({ text: 'Local hello.', error: null });
    expect(local.lastRequest()?.headers.authorization).toMatch(/^Bearer \S+$/);
  });

  it('maps a wrong key to PROVIDER_AUTH_FAILED without revealing it, even masked by the server', async () => {
    await port.close?.();
    port = await createPort({ apiKey: 'sk-wrong-key-0123456789abcdef' });
    const { error } = await run(port);
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 401, providerType: 'invalid_api_key' } });
    expect(JSON.stringify([error?.message, error?.nextStep, error?.details, error?.stack])).not.toMatch(/wrong-key|cdef/);
  });

  it('maps an unknown model to PROVIDER_REJECTED, and 503 to PROVIDER_UNAVAILABLE', async () => {
    await port.close?.();
    port = await createPort({ model: 'gpt-nope' });
    expect((await run(port)).error).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerStatus: 404, providerType: 'model_not_found' } });
    sim.failNext({ kind: 'status', status: 503 });
    await port.close?.();
    port = await createPort();
    expect((await run(port)).error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { providerStatus: 503 } });
    expect(sim.requests).toHaveLength(2);
  });

  it('maps an in-stream error object by its type: rate limits, server errors', async () => {
    sim.enqueue({ text: 'a b c', fault: { kind: 'error-mid-stream', afterTokens: 1, errorType: 'tokens', message: 'Rate limit reached' } });
    expect(await run(port)).toMatchObject({ text: 'a', error: { code: 'RATE_LIMITED', details: { midStream: true } } });
    sim.enqueue({ text: 'a b c', fault: { kind: 'error-mid-stream', afterTokens: 2 } });
    expect(await run(port)).toMatchObject({ text: 'a b', error: { code: 'PROVIDER_UNAVAILABLE' } });
  });

  it('maps a refused connection to PROVIDER_UNAVAILABLE, naming the server', async () => {
    const gone = new OpenAiSimulator();
    await gone.start();
    const baseUrl = gone.baseUrl;
    await gone.stop();
    await port.close?.();
    port = await createPort({ baseUrl });
    const { error } = await run(port);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { networkError: 'ECONNREFUSED' } });
    expect(error?.message).toContain(new URL(baseUrl).host);
  });
});
