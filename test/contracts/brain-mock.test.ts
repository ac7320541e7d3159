import { describe, expect, it } from 'vitest';
import mockBrainPlugin from '../../adapters/mock/brain-plugin.js';
import { MockBrain, type MockBrainOptions } from '../../adapters/mock/mock-brain.js';
import { describeBrainContract, type BrainFaultKind } from '../../contracts/brain.js';
import type { BrainRequest } from '../../ports/brain.js';
import type { ErrorCode } from '../../ports/errors.js';
import { brainTestContext } from '../simulators/llm/brain-test-context.js';

const FAULT_CODES: Partial<Record<BrainFaultKind, ErrorCode>> = {
  'server-error': 'PROVIDER_UNAVAILABLE',
  'rate-limit': 'RATE_LIMITED',
  auth: 'PROVIDER_AUTH_FAILED',
  rejected: 'PROVIDER_REJECTED',
  'error-mid-stream': 'PROVIDER_UNAVAILABLE',
};

async function createMock(options: MockBrainOptions = {}): Promise<MockBrain> {
  const port = await mockBrainPlugin.create(options, brainTestContext());
  if (!(port instanceof MockBrain)) throw new Error('the mock plugin did not build a MockBrain');
  return port;
}

describeBrainContract({
  name: 'mock brain',
  capabilities: { streaming: true },
  async factory() {
    const mock = await createMock();
    return {
      port: mock,
      harness: {
        faults: Object.keys(FAULT_CODES) as BrainFaultKind[],
        secrets: [],
        rateLimitRetryAfterSeconds: 1,
        scriptReply(script) {
          const code = script.fault ? FAULT_CODES[script.fault.kind] : undefined;
          mock.scriptNext({
            tokens: script.tokens,
            tokenDelayMs: script.tokenDelayMs,
            fault: code ? { code, afterTokens: script.fault?.afterTokens ?? 0 } : undefined,
          });
        },
        lastRequest() {
          const last = mock.requests.at(-1);
          return last ? { instructions: last.instructions, history: last.history } : null;
        },
        requestCount: () => mock.requests.length,
      },
    };
  },
});

function turn(history: BrainRequest['history'], signal = new AbortController().signal): BrainRequest {
  return { instructions: 'Demo.', history, callId: 'call_1', agentId: 'agt_1', agentEndpoint: null, signal };
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

describe('mock brain specifics', () => {
  it('is the brain plugin "mock"', () => {
    expect(mockBrainPlugin).toMatchObject({ apiVersion: 1, port: 'brain', id: 'mock' });
  });

  it('echoes the caller\'s last words in a demo sentence, word by word', async () => {
    const mock = await createMock();
    const chunks = await collect(mock.reply(turn([{ role: 'user', text: 'Is the shop open?' }, { role: 'assistant', text: 'One moment.' }])));
    expect(chunks.join('')).toBe('I heard you say: "Is the shop open?". I am the demo voice agent; configure a brain to give me a real mind.');
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks[1]).toBe(' heard');
  });

  it('cycles through configured replies, filling in {heard}', async () => {
    const mock = await createMock({ replies: ['First: {heard}', 'Second.'] });
    const texts: string[] = [];
    for (const words of ['alpha', 'beta', 'gamma']) texts.push((await collect(mock.reply(turn([{ role: 'user', text: words }])))).join(''));
    expect(texts).toEqual(['First: alpha', 'Second.', 'First: gamma']);
  });

  it('paces words by tokenDelayMs and stops at once when aborted', async () => {
    const mock = await createMock({ replies: ['one two three four five six'], tokenDelayMs: 40 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const chunks = await collect(mock.reply(turn([], controller.signal)));
    expect(chunks.length).toBeGreaterThanOrEqual(1);
    expect(chunks.length).toBeLessThan(6);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('fails on demand after some words, as a provider outage would', async () => {
    const mock = await createMock();
    mock.failNext('PROVIDER_UNAVAILABLE', 2);
    const chunks: string[] = [];
    await expect((async () => {
      for await (const chunk of mock.reply(turn([]))) chunks.push(chunk);
    })()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(chunks).toHaveLength(2);
  });
});
