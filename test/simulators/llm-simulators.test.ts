import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicSimulator } from './llm/anthropic-simulator.js';
import { OpenAiSimulator } from './llm/openai-simulator.js';
import { tokenize } from './llm/scripted-reply.js';

const TEXT = 'Hello there! Ünïcode ✓ and emoji 🚀 survive the stream.';

async function rawSse(url: string, init: RequestInit): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(url, init);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

describe('tokenize', () => {
  it('splits at words, keeps every character, and joins back to the text', () => {
    expect(tokenize('Hi  there, you.\n')).toEqual(['Hi', '  there,', ' you.', '\n']);
    expect(tokenize(TEXT).join('')).toBe(TEXT);
    expect(tokenize('')).toEqual([]);
  });
});

describe('OpenAI-compatible simulator, driven by the openai SDK', () => {
  const sim = new OpenAiSimulator({ models: ['gpt-sim-mini', 'llama3.2'] });
  const client = () => new OpenAI({ apiKey: sim.apiKey ?? '', baseURL: sim.baseUrl, maxRetries: 0 });
  const ask = { model: 'gpt-sim-mini', messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Hi?' }] };

  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('streams chat.completion.chunk events token by token, then [DONE], and records the request', async () => {
    sim.enqueue({ text: TEXT });
    const stream = await client().chat.completions.create({ ...ask, stream: true, max_tokens: 100, temperature: 0.2 });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const deltas = chunks.map((c) => c.choices[0]?.delta?.content ?? '').filter((t) => t !== '');
    expect(deltas).toEqual(tokenize(TEXT));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]?.id && c.model === 'gpt-sim-mini')).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    const recorded = sim.lastRequest();
    expect(recorded?.parsed).toMatchObject({
      model: 'gpt-sim-mini', stream: true, maxTokens: 100, temperature: 0.2, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi?' }],
    });
    expect(recorded).toMatchObject({ ending: 'completed', clientAborted: false, tokensSent: tokenize(TEXT).length });
    expect(recorded?.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
  });

  it('frames the stream exactly as OpenAI does on the wire, usage chunk included when asked', async () => {
    sim.enqueue({ tokens: ['A', ' b'] });
    const { status, contentType, text } = await rawSse(`${sim.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask, stream: true, stream_options: { include_usage: true } }),
    });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const usage = JSON.parse(events.at(-2)?.slice(6) ?? '{}') as { choices: unknown[]; usage: { completion_tokens: number } };
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(2);
  });

  it('answers without streaming too, and stops at max_tokens with finish_reason length', async () => {
    sim.enqueue({ text: TEXT }, { text: 'one two three four' });
    const whole = await client().chat.completions.create(ask);
    expect(whole.choices[0]?.message.content).toBe(TEXT);
    expect(whole.choices[0]?.finish_reason).toBe('stop');
    const cut = await client().chat.completions.create({ ...ask, max_completion_tokens: 2 });
    expect(cut.choices[0]).toMatchObject({ message: { content: 'one two' }, finish_reason: 'length' });
  });

  it('refuses a wrong key with OpenAI\'s 401 body, and takes any key when it has none (local servers)', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong-0123456789', baseURL: sim.baseUrl, maxRetries: 0 });
    await expect(wrong.chat.completions.create(ask)).rejects.toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    const local = new OpenAiSimulator({ apiKey: null });
    await local.start();
    try {
      const anyKey = new OpenAI({ apiKey: 'whatever', baseURL: local.baseUrl, maxRetries: 0 });
      expect((await anyKey.chat.completions.create({ ...ask, model: 'llama3.2' })).choices[0]?.message.content).toContain('Hi?');
    } finally {
      await local.stop();
    }
  });

  it('plays status faults with OpenAI\'s error bodies: 429 with Retry-After, 500, unknown model', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    const limited = await client().chat.completions.create(ask).catch((err: unknown) => err);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7');
    expect(limited).toMatchObject({ code: 'rate_limit_exceeded' });
    sim.failNext({ kind: 'status', status: 500 });
    await expect(client().chat.completions.create(ask)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client().chat.completions.create({ ...ask, model: 'gpt-nope' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect(sim.requests.map((r) => r.refused?.status)).toEqual([429, 500, 404]);
  });

  it('refuses malformed requests as OpenAI does', async () => {
    const bad = client().chat.completions.create({ model: 'gpt-sim-mini', messages: [{ role: 'wizard', content: 'x' }] } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
    await expect(bad).rejects.toMatchObject({ status: 400, code: 'invalid_value', param: 'messages[0].role' });
    await expect(client().chat.completions.create({ model: 'gpt-sim-mini', messages: [] })).rejects.toMatchObject({ status: 400 });
  });

  it('sends an error event mid-stream after N tokens, as OpenAI does', async () => {
    sim.enqueue({ text: TEXT, fault: { kind: 'error-mid-stream', afterTokens: 2 } });
    const got: string[] = [];
    const failure = await (async () => {
      for await (const chunk of await client().chat.completions.create({ ...ask, stream: true })) got.push(chunk.choices[0]?.delta?.content ?? '');
    })().catch((err: unknown) => err);
    expect(got.join('')).toBe(tokenize(TEXT).slice(0, 2).join(''));
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ type: 'server_error' });
    expect(sim.lastRequest()?.ending).toBe('error-event');
  });

  it('honours time to first token and the pause between tokens', async () => {
    sim.enqueue({ tokens: ['a', 'b', 'c'], firstTokenDelayMs: 150, tokenDelayMs: 60 });
    const started = Date.now();
    const times: number[] = [];
    for await (const chunk of await client().chat.completions.create({ ...ask, stream: true })) {
      if (chunk.choices[0]?.delta?.content) times.push(Date.now() - started);
    }
    expect(times).toHaveLength(3);
    expect(times[0]).toBeGreaterThanOrEqual(140);
    expect((times[2] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it('stalls mid-stream until the client gives up, and records the abort', async () => {
    sim.enqueue({ text: TEXT, fault: { kind: 'stall', afterTokens: 1 } });
    const controller = new AbortController();
    const got: string[] = [];
    const stream = await client().chat.completions.create({ ...ask, stream: true }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 150);
    for await (const chunk of stream) got.push(chunk.choices[0]?.delta?.content ?? '');
    expect(got.join('')).toBe(tokenize(TEXT)[0]);
    const recorded = sim.lastRequest();
    if (!recorded) throw new Error('no request');
    expect(await sim.finished(recorded)).toBe(true);
    expect(recorded).toMatchObject({ ending: 'client-closed', clientAborted: true, tokensSent: 1 });
  });

  it('drops the connection before answering or part-way', async () => {
    sim.failNext({ kind: 'drop' });
    await expect(client().chat.completions.create(ask)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    sim.enqueue({ text: TEXT, fault: { kind: 'drop', afterTokens: 1 } });
    const failure = await (async () => {
      for await (const _chunk of await client().chat.completions.create({ ...ask, stream: true })) { /* drain */ }
    })().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(sim.requests.map((r) => r.ending)).toEqual(['dropped', 'dropped']);
  });
});

describe('Anthropic simulator, driven by @anthropic-ai/sdk', () => {
  const sim = new AnthropicSimulator({ models: ['claude-sonnet-5-5'] });
  const client = () => new Anthropic({ apiKey: sim.apiKey, baseURL: sim.baseUrl, maxRetries: 0 });
  const ask = { model: 'claude-sonnet-5-5', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user' as const, content: 'Hi?' }] };

  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('streams message_start … text deltas … message_stop, and records the request', async () => {
    sim.enqueue({ text: TEXT });
    const types: string[] = [];
    const deltas: string[] = [];
    for await (const event of await client().messages.create({ ...ask, stream: true })) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') deltas.push(event.delta.text);
    }
    const tokens = tokenize(TEXT);
    expect(deltas).toEqual(tokens);
    expect(types).toEqual(['message_start', 'content_block_start', ...tokens.map(() => 'content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    const recorded = sim.lastRequest();
    expect(recorded?.parsed).toMatchObject({ model: 'claude-sonnet-5-5', stream: true, maxTokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi?' }] });
    expect(recorded?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(recorded).toMatchObject({ ending: 'completed', clientAborted: false });
  });

  it('frames events on the wire as Anthropic does, ping included, and works with messages.stream()', async () => {
    sim.enqueue({ tokens: ['Hi', ' you'] });
    const { contentType, text } = await rawSse(`${sim.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': sim.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(contentType).toMatch(/^text\/event-stream/);
    const names = text.split('\n\n').filter(Boolean).map((e) => /^event: (\S+)/.exec(e)?.[1]);
    expect(names).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    sim.enqueue({ text: TEXT });
    const final = await client().messages.stream(ask).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: TEXT })]);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('answers without streaming too, and stops at max_tokens', async () => {
    sim.enqueue({ text: TEXT }, { text: 'one two three' });
    const whole = await client().messages.create(ask);
    expect(whole.content[0]).toMatchObject({ type: 'text', text: TEXT });
    const cut = await client().messages.create({ ...ask, max_tokens: 2 });
    expect(cut).toMatchObject({ stop_reason: 'max_tokens', content: [{ text: 'one two' }] });
  });

  it('checks the key (x-api-key or Bearer) and anthropic-version, with Anthropic\'s error bodies', async () => {
    const wrong = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: sim.baseUrl, maxRetries: 0 });
    await expect(wrong.messages.create(ask)).rejects.toMatchObject({ status: 401, type: 'authentication_error' });
    const noVersion = await fetch(`${sim.origin}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json' }, body: JSON.stringify(ask),
    });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
  });

  it('refuses what the Messages API refuses: a first assistant turn, empty text, an unknown model', async () => {
    await expect(client().messages.create({ ...ask, messages: [{ role: 'assistant', content: 'Hello' }] })).rejects.toMatchObject({ status: 400, type: 'invalid_request_error' });
    await expect(client().messages.create({ ...ask, messages: [{ role: 'user', content: ' ' }] })).rejects.toMatchObject({ status: 400 });
    await expect(client().messages.create({ ...ask, model: 'claude-nope' })).rejects.toMatchObject({ status: 404, type: 'not_found_error' });
  });

  it('plays 429 with Retry-After and 529 overloaded', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 4 });
    const limited = await client().messages.create(ask).catch((err: unknown) => err);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('4');
    sim.failNext({ kind: 'status', status: 529 });
    await expect(client().messages.create(ask)).rejects.toMatchObject({ status: 529, type: 'overloaded_error' });
  });

  it('sends event: error (overloaded_error) mid-stream after N tokens', async () => {
    sim.enqueue({ text: TEXT, fault: { kind: 'error-mid-stream', afterTokens: 3 } });
    const got: string[] = [];
    const failure = await (async () => {
      for await (const event of await client().messages.create({ ...ask, stream: true })) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') got.push(event.delta.text);
      }
    })().catch((err: unknown) => err);
    expect(got).toEqual(tokenize(TEXT).slice(0, 3));
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(failure).toMatchObject({ status: undefined, type: 'overloaded_error' });
  });

  it('records a client that hangs up on a stalled stream', async () => {
    sim.enqueue({ text: TEXT, fault: { kind: 'stall', afterTokens: 0 } });
    const controller = new AbortController();
    const stream = await client().messages.create({ ...ask, stream: true }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    let deltas = 0;
    for await (const event of stream) if (event.type === 'content_block_delta') deltas += 1;
    expect(deltas).toBe(0);
    const recorded = sim.lastRequest();
    if (!recorded) throw new Error('no request');
    expect(await sim.finished(recorded)).toBe(true);
    expect(recorded.clientAborted).toBe(true);
  });
});
