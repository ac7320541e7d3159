import { setTimeout as sleep } from 'node:timers/promises';
import type { BrainCapabilities, BrainPort, BrainRequest, ConversationTurn } from '../../ports/brain.js';
import { DomainError, type ErrorCode } from '../../ports/errors.js';
import { keepRecent } from './recent-history.js';

export interface MockBrainOptions {
  /** Replies given in turn, cycling; `{heard}` is replaced by the caller's last words. Default: a demo line that echoes them. */
  replies?: string[];
  /** Pause before each word, in milliseconds, so that streaming is visible. Default 0. */
  tokenDelayMs?: number;
}

/** A failure the mock plays instead of (or part-way through) its next reply. */
export interface MockBrainFault {
  code: ErrorCode;
  /** Words spoken before the failure. Default 0. */
  afterTokens?: number;
}

/** One scripted turn, for tests and demos that need exact words. */
export interface MockBrainScript {
  tokens: string[];
  tokenDelayMs?: number;
  fault?: MockBrainFault;
}

/** A turn as the mock heard it. */
export interface MockBrainTurn {
  instructions: string;
  history: ConversationTurn[];
  callId: string;
  agentId: string;
}

export const DEFAULT_MOCK_BRAIN_REPLY =
  'I heard you say: "{heard}". I am the demo voice agent; configure a brain to give me a real mind.';
const NOTHING_HEARD = 'nothing yet';
const FAILING_REPLY = 'The demo agent is about to fail on purpose.';
const MAX_ECHO_LENGTH = 200;

/** Words with their leading spaces, so that joining the pieces gives the text back exactly. */
export function wordsOf(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** The `brain` port without a model (demo mode): canned or scripted replies, streamed word by word. */
export class MockBrain implements BrainPort {
  readonly capabilities: BrainCapabilities = { streaming: true };
  /** Every turn asked of the mock, oldest first. */
  readonly requests: MockBrainTurn[] = [];
  private readonly replies: readonly string[];
  private readonly tokenDelayMs: number;
  private readonly scripts: MockBrainScript[] = [];
  private turns = 0;

  constructor(options: MockBrainOptions = {}) {
    this.replies = options.replies && options.replies.length > 0 ? options.replies : [DEFAULT_MOCK_BRAIN_REPLY];
    this.tokenDelayMs = options.tokenDelayMs ?? 0;
  }

  /** The next turn answers exactly these tokens (and fails as told), ahead of the configured replies. */
  scriptNext(script: MockBrainScript): void {
    this.scripts.push(script);
  }

  /** The next turn fails with this code (default PROVIDER_UNAVAILABLE), after `afterTokens` words. */
  failNext(code: ErrorCode = 'PROVIDER_UNAVAILABLE', afterTokens = 0): void {
    this.scripts.push({ tokens: wordsOf(FAILING_REPLY), fault: { code, afterTokens } });
  }

  reply(request: BrainRequest): AsyncIterable<string> {
    return this.speak(request);
  }

  async close(): Promise<void> {}

  private async *speak(request: BrainRequest): AsyncGenerator<string> {
    if (request.signal.aborted) return;
    keepRecent(this.requests, {
      instructions: request.instructions,
      history: request.history.map((turn) => ({ ...turn })),
      callId: request.callId,
      agentId: request.agentId,
    });
    const script = this.scripts.shift() ?? { tokens: wordsOf(this.cannedReply(request.history)) };
    const delayMs = script.tokenDelayMs ?? this.tokenDelayMs;
    for (const [index, token] of script.tokens.entries()) {
      if (script.fault && index === (script.fault.afterTokens ?? 0)) throw injected(script.fault.code);
      if (delayMs > 0) {
        try {
          await sleep(delayMs, undefined, { signal: request.signal });
        } catch {
          return; // Interrupted: an abort ends the reply quietly.
        }
      }
      if (request.signal.aborted) return;
      yield token;
    }
    if (script.fault) throw injected(script.fault.code);
  }

  private cannedReply(history: readonly ConversationTurn[]): string {
    const template = this.replies[this.turns % this.replies.length] ?? DEFAULT_MOCK_BRAIN_REPLY;
    this.turns += 1;
    const heard = [...history].reverse().find((turn) => turn.role === 'user')?.text.trim().slice(0, MAX_ECHO_LENGTH);
    return template.split('{heard}').join(heard || NOTHING_HEARD);
  }
}

function injected(code: ErrorCode): DomainError {
  return new DomainError(code, `The mock brain was told to fail (${code}).`, 'Retry the turn; this failure was injected by a test or demo.', {
    provider: 'mock',
    retryAfterSeconds: code === 'RATE_LIMITED' ? 1 : undefined,
  });
}
