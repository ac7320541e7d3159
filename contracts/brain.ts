import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrainCapabilities, BrainPort, BrainRequest, ConversationTurn } from '../ports/brain.js';
import { isDomainError, type DomainError, type ErrorCode } from '../ports/errors.js';

/**
 * Failures the harness can make the far side play for the next turn. Before the first token: `server-error`,
 * `rate-limit`, `auth`, `rejected` (an HTTP refusal or its equivalent), `drop` (connection cut, no answer),
 * `stall` (no token ever comes). After `afterTokens` tokens: `error-mid-stream` (the provider's in-stream error,
 * e.g. Anthropic's overloaded_error), `drop-mid-stream`, `stall-mid-stream`.
 */
export type BrainFaultKind =
  | 'server-error'
  | 'rate-limit'
  | 'auth'
  | 'rejected'
  | 'drop'
  | 'stall'
  | 'error-mid-stream'
  | 'drop-mid-stream'
  | 'stall-mid-stream';

/** The far side's next reply. */
export interface BrainScript {
  /** Sent one by one, in order; they join to the reply text. */
  tokens: string[];
  /** Pause before each token, the first included (ms). Default: the harness's, about 0. */
  tokenDelayMs?: number;
  fault?: { kind: BrainFaultKind; afterTokens?: number };
}

/** A turn as the far side received it, in port terms. */
export interface FarSideTurn {
  instructions: string;
  history: ConversationTurn[];
}

/**
 * The far side of a brain adapter (a provider simulator, the agent's server, or the mock itself), as the suite
 * needs it. Vendor-neutral: the suite never knows what answers.
 */
export interface BrainHarness {
  /** Sets the reply to the next turn (one script per turn; the far side's default reply after that). */
  scriptReply(script: BrainScript): void | Promise<void>;
  /** The faults `scriptReply` can play; the suite skips the others. */
  faults: readonly BrainFaultKind[];
  /** The last turn the far side received; null when none reached it. */
  lastRequest(): FarSideTurn | null | Promise<FarSideTurn | null>;
  /** How many turns reached the far side: one per `reply`, never a retry. */
  requestCount(): number | Promise<number>;
  /**
   * Waits (up to ~1 s) for the far side's last request to end, then tells whether it was cut off by our side
   * before it was complete. Omit when there is no connection to cut (the mock).
   */
  upstreamAborted?(): Promise<boolean>;
  /** What to put in `BrainRequest.agentEndpoint` (adapters where the agent answers). Default null. */
  agentEndpoint?: BrainRequest['agentEndpoint'];
  /** Credentials the adapter was built with: no error may reveal them. */
  secrets: readonly string[];
  /** The adapter's configured wait for the first token (ms); required for the `stall` fault. */
  timeoutMs?: number;
  /** The adapter's configured wait between tokens (ms); required for the `stall-mid-stream` fault. */
  idleTimeoutMs?: number;
  /** The Retry-After the injected rate limit announces, when it announces one. */
  rateLimitRetryAfterSeconds?: number;
}

export interface BrainContractOptions {
  name: string;
  /** A fresh, isolated port and its harness; called before each test. */
  factory: () => Promise<{ port: BrainPort; harness: BrainHarness }>;
  /** Called after each test, after `port.close()`. */
  teardown?: () => Promise<void>;
  /** What the adapter declares. */
  capabilities: BrainCapabilities;
}

/** How soon an aborted reply must end: a caller who interrupts the agent must not hear it go on. */
const ABORT_WITHIN_MS = 1000;
/** Slack on top of a configured timeout, for timers and loopback I/O. */
const TIMEOUT_SLACK_MS = 1000;
const INSTRUCTIONS = 'You are Ada, calling from the clinic about Tuesday\'s appointment. Keep replies short.\nSpeak plainly: no lists.';
const HISTORY: ConversationTurn[] = [
  { role: 'user', text: 'Hello? Who is this?' },
  { role: 'assistant', text: 'Hi, this is Ada from the clinic, about your appointment on Tuesday.' },
  { role: 'user', text: 'Oh right, can we move it to Thürsday? 🙏' },
];
const TOKENS = ['Of', ' course', '!', ' Thursday', ' at', ' ten', ' works', ' — see', ' you', ' then', ' ✓'];
const EXPECTED_CODE: Readonly<Record<'server-error' | 'rate-limit' | 'auth' | 'rejected' | 'drop', ErrorCode>> = {
  'server-error': 'PROVIDER_UNAVAILABLE',
  'rate-limit': 'RATE_LIMITED',
  auth: 'PROVIDER_AUTH_FAILED',
  rejected: 'PROVIDER_REJECTED',
  drop: 'PROVIDER_UNAVAILABLE',
};

/** Everything one `reply` iteration produced: chunks with arrival times, how it ended, and when. */
interface Outcome {
  chunks: string[];
  times: number[];
  error: unknown;
  endedAt: number;
}

async function consume(
  iterable: AsyncIterable<string>,
  onChunk?: (chunk: string, index: number) => void | 'stop',
): Promise<Outcome> {
  const chunks: string[] = [];
  const times: number[] = [];
  try {
    for await (const chunk of iterable) {
      chunks.push(chunk);
      times.push(Date.now());
      if (onChunk?.(chunk, chunks.length - 1) === 'stop') break;
    }
    return { chunks, times, error: null, endedAt: Date.now() };
  } catch (error) {
    return { chunks, times, error, endedAt: Date.now() };
  }
}

/** A DomainError with this code, a next step for the caller, and no secret anywhere in it. */
function expectFailure(error: unknown, code: ErrorCode, secrets: readonly string[]): DomainError {
  expect(isDomainError(error), `expected a DomainError, got ${String(error)}`).toBe(true);
  const err = error as DomainError;
  expect(err.code).toBe(code);
  expect(typeof err.nextStep === 'string' && err.nextStep.length > 0, 'nextStep tells the caller what to do').toBe(true);
  const visible = JSON.stringify({ message: err.message, nextStep: err.nextStep, details: err.details, stack: err.stack });
  for (const secret of secrets) expect(visible.includes(secret), 'an error reveals a credential').toBe(false);
  return err;
}

/**
 * The published contract of the brain port: every adapter, ours or a third party's, runs it.
 *
 * Abort semantics it fixes: when the caller's signal aborts, the iteration ENDS WITHOUT THROWING (an
 * interruption is not a failure), within a second, and the far side sees its request cancelled.
 */
export function describeBrainContract(o: BrainContractOptions): void {
  describe(`brain contract: ${o.name}`, () => {
    let port: BrainPort;
    let harness: BrainHarness;
    const can = (fault: BrainFaultKind) => harness.faults.includes(fault);

    beforeEach(async () => {
      ({ port, harness } = await o.factory());
    });

    afterEach(async () => {
      await port.close?.();
      await o.teardown?.();
    });

    const request = (overrides: Partial<BrainRequest> = {}): BrainRequest => ({
      instructions: INSTRUCTIONS,
      history: HISTORY.map((turn) => ({ ...turn })),
      callId: 'call_contract_1',
      agentId: 'agt_contract_1',
      agentEndpoint: harness.agentEndpoint ?? null,
      signal: new AbortController().signal,
      ...overrides,
    });

    it('declares the capabilities it was registered with', () => {
      expect(port.capabilities).toEqual(o.capabilities);
    });

    describe('replying', () => {
      it('yields the reply in order, joining exactly to the scripted text', async () => {
        await harness.scriptReply({ tokens: TOKENS });
        const outcome = await consume(port.reply(request()));
        expect(outcome.error).toBeNull();
        expect(outcome.chunks.join('')).toBe(TOKENS.join(''));
        expect(outcome.chunks.every((chunk) => chunk.length > 0), 'no empty chunks').toBe(true);
      });

      it.skipIf(!o.capabilities.streaming)('streams: the first words arrive while the rest is still being produced', async () => {
        await harness.scriptReply({ tokens: TOKENS.slice(0, 6), tokenDelayMs: 60 });
        const outcome = await consume(port.reply(request()));
        expect(outcome.error).toBeNull();
        expect(outcome.chunks.length).toBeGreaterThan(1);
        const spread = (outcome.times.at(-1) ?? 0) - (outcome.times[0] ?? 0);
        expect(spread, 'chunks were buffered instead of streamed').toBeGreaterThanOrEqual(150);
      });

      it('delivers the instructions and the history, in order, to the far side', async () => {
        await harness.scriptReply({ tokens: TOKENS });
        await consume(port.reply(request()));
        expect(await harness.lastRequest()).toEqual({ instructions: INSTRUCTIONS, history: HISTORY });
      });

      it('answers a conversation the agent opened (history starting with its greeting), keeping every turn', async () => {
        const history: ConversationTurn[] = [
          { role: 'assistant', text: 'Hello, this is Ada from the clinic.' },
          { role: 'user', text: 'Hi Ada.' },
        ];
        await harness.scriptReply({ tokens: TOKENS });
        const outcome = await consume(port.reply(request({ history })));
        expect(outcome.error).toBeNull();
        expect(outcome.chunks.join('')).toBe(TOKENS.join(''));
        const seen = await harness.lastRequest();
        // An adapter may put a stand-in turn first (APIs that want a user turn first), but must keep these.
        expect(seen?.history.slice(-history.length)).toEqual(history);
        expect(seen?.instructions).toBe(INSTRUCTIONS);
      });

      it('makes exactly one far-side request per turn, each turn with its own reply', async () => {
        await harness.scriptReply({ tokens: ['First', ' answer.'] });
        const first = await consume(port.reply(request()));
        await harness.scriptReply({ tokens: ['Second', ' answer.'] });
        const history = [...HISTORY, { role: 'assistant' as const, text: 'First answer.' }, { role: 'user' as const, text: 'And then?' }];
        const second = await consume(port.reply(request({ history })));
        expect([first.chunks.join(''), second.chunks.join('')]).toEqual(['First answer.', 'Second answer.']);
        expect(await harness.requestCount()).toBe(2);
        expect((await harness.lastRequest())?.history).toEqual(history);
      });
    });

    describe('interruption', () => {
      it('ends quietly within a second when the caller aborts mid-reply, and cancels the far side', async () => {
        const tokens = Array.from({ length: 40 }, (_, i) => ` word${i}`);
        await harness.scriptReply({ tokens, tokenDelayMs: 50 });
        const controller = new AbortController();
        let abortedAt = 0;
        const outcome = await consume(port.reply(request({ signal: controller.signal })), (_chunk, index) => {
          if (index === 1) {
            abortedAt = Date.now();
            controller.abort();
          }
        });
        expect(outcome.error, 'an abort is not an error: the iteration just ends').toBeNull();
        expect(outcome.endedAt - abortedAt).toBeLessThan(ABORT_WITHIN_MS);
        expect(outcome.chunks.length).toBeLessThan(tokens.length);
        expect(tokens.join('').startsWith(outcome.chunks.join(''))).toBe(true);
        if (harness.upstreamAborted) expect(await harness.upstreamAborted(), 'the far side saw the request cancelled').toBe(true);
      });

      it('ends quietly within a second when the caller aborts before the first token', async () => {
        await harness.scriptReply({ tokens: ['Too', ' late'], tokenDelayMs: 5000 });
        const controller = new AbortController();
        const started = Date.now();
        setTimeout(() => controller.abort(), 100);
        const outcome = await consume(port.reply(request({ signal: controller.signal })));
        expect(outcome.error).toBeNull();
        expect(outcome.chunks).toEqual([]);
        expect(outcome.endedAt - started).toBeLessThan(100 + ABORT_WITHIN_MS);
        if (harness.upstreamAborted) expect(await harness.upstreamAborted()).toBe(true);
      });

      it('does not reach the far side at all for a turn aborted before it started', async () => {
        await harness.scriptReply({ tokens: TOKENS });
        const controller = new AbortController();
        controller.abort();
        const outcome = await consume(port.reply(request({ signal: controller.signal })));
        expect(outcome).toMatchObject({ chunks: [], error: null });
        expect(await harness.requestCount()).toBe(0);
      });

      it('cancels the far side when the consumer stops reading early', async ({ skip }) => {
        if (!harness.upstreamAborted) skip('the far side has no connection to observe');
        await harness.scriptReply({ tokens: Array.from({ length: 30 }, (_, i) => ` w${i}`), tokenDelayMs: 40 });
        const outcome = await consume(port.reply(request()), () => 'stop');
        expect(outcome.chunks).toHaveLength(1);
        expect(await harness.upstreamAborted?.()).toBe(true);
      });
    });

    describe('failures before the first token', () => {
      for (const fault of ['server-error', 'rate-limit', 'auth', 'rejected', 'drop'] as const) {
        it(`reports ${fault} as ${EXPECTED_CODE[fault]}, with nothing spoken`, async ({ skip }) => {
          if (!can(fault)) skip(`the harness cannot play ${fault}`);
          await harness.scriptReply({ tokens: TOKENS, fault: { kind: fault } });
          const outcome = await consume(port.reply(request()));
          expect(outcome.chunks).toEqual([]);
          const err = expectFailure(outcome.error, EXPECTED_CODE[fault], harness.secrets);
          if (fault === 'rate-limit') {
            const wait = err.details.retryAfterSeconds;
            if (harness.rateLimitRetryAfterSeconds !== undefined) expect(wait).toBe(harness.rateLimitRetryAfterSeconds);
            else if (wait !== undefined) expect(typeof wait === 'number' && wait >= 0).toBe(true);
          }
          expect(await harness.requestCount(), 'no retry on its own').toBe(1);
        });
      }

      it('recovers on the next turn once the far side is healthy again', async ({ skip }) => {
        if (!can('server-error')) skip('the harness cannot play server-error');
        await harness.scriptReply({ tokens: TOKENS, fault: { kind: 'server-error' } });
        expect((await consume(port.reply(request()))).error).not.toBeNull();
        await harness.scriptReply({ tokens: TOKENS });
        const outcome = await consume(port.reply(request()));
        expect(outcome).toMatchObject({ error: null });
        expect(outcome.chunks.join('')).toBe(TOKENS.join(''));
      });

      it('reports no first token within the configured timeout as PROVIDER_TIMEOUT, and cancels the far side', async ({ skip }) => {
        if (!can('stall') || harness.timeoutMs === undefined) skip('the harness cannot play stall');
        const timeoutMs = harness.timeoutMs ?? 0;
        await harness.scriptReply({ tokens: TOKENS, fault: { kind: 'stall' } });
        const started = Date.now();
        const outcome = await consume(port.reply(request()));
        expect(outcome.chunks).toEqual([]);
        expectFailure(outcome.error, 'PROVIDER_TIMEOUT', harness.secrets);
        expect(outcome.endedAt - started).toBeGreaterThanOrEqual(timeoutMs * 0.9);
        expect(outcome.endedAt - started).toBeLessThan(timeoutMs + TIMEOUT_SLACK_MS);
        if (harness.upstreamAborted) expect(await harness.upstreamAborted()).toBe(true);
      });
    });

    describe.skipIf(!o.capabilities.streaming)('failures part-way through a reply', () => {
      const spoken = TOKENS.slice(0, 3).join('');

      it('reports an error event mid-stream as PROVIDER_UNAVAILABLE, after the chunks already yielded', async ({ skip }) => {
        if (!can('error-mid-stream')) skip('the harness cannot play error-mid-stream');
        await harness.scriptReply({ tokens: TOKENS, fault: { kind: 'error-mid-stream', afterTokens: 3 } });
        const outcome = await consume(port.reply(request()));
        expect(outcome.chunks.join('')).toBe(spoken);
        expectFailure(outcome.error, 'PROVIDER_UNAVAILABLE', harness.secrets);
      });

      it('reports a connection cut mid-stream as PROVIDER_UNAVAILABLE, after the chunks already yielded', async ({ skip }) => {
        if (!can('drop-mid-stream')) skip('the harness cannot play drop-mid-stream');
        await harness.scriptReply({ tokens: TOKENS, fault: { kind: 'drop-mid-stream', afterTokens: 3 } });
        const outcome = await consume(port.reply(request()));
        expect(outcome.chunks.join('')).toBe(spoken);
        expectFailure(outcome.error, 'PROVIDER_UNAVAILABLE', harness.secrets);
      });

      it('reports a stream that stalls as PROVIDER_TIMEOUT within the idle timeout, and cancels the far side', async ({ skip }) => {
        if (!can('stall-mid-stream') || harness.idleTimeoutMs === undefined) skip('the harness cannot play stall-mid-stream');
        const idleTimeoutMs = harness.idleTimeoutMs ?? 0;
        await harness.scriptReply({ tokens: TOKENS, fault: { kind: 'stall-mid-stream', afterTokens: 3 } });
        const outcome = await consume(port.reply(request()));
        expect(outcome.chunks.join('')).toBe(spoken);
        expectFailure(outcome.error, 'PROVIDER_TIMEOUT', harness.secrets);
        const silence = outcome.endedAt - (outcome.times.at(-1) ?? 0);
        expect(silence).toBeGreaterThanOrEqual(idleTimeoutMs * 0.9);
        expect(silence).toBeLessThan(idleTimeoutMs + TIMEOUT_SLACK_MS);
        if (harness.upstreamAborted) expect(await harness.upstreamAborted()).toBe(true);
      });
    });
  });
}
