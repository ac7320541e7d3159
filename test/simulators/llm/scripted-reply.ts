/**
 * What a simulated model does with one request. Token positions count text tokens only: `afterTokens: 0`
 * strikes before the first token (after the response headers for streams).
 */
export type LlmFault =
  /** Answer with this HTTP error and the provider's error body (429 carries Retry-After when given). */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; errorType?: string; message?: string }
  /** Stream `afterTokens` tokens, then the provider's in-stream error event, then end the response. */
  | { kind: 'error-mid-stream'; afterTokens: number; errorType?: string; message?: string }
  /** Stream `afterTokens` tokens, then send nothing more and keep the connection open. */
  | { kind: 'stall'; afterTokens: number }
  /** Destroy the socket: before any answer when `afterTokens` is absent, else after that many tokens. */
  | { kind: 'drop'; afterTokens?: number }
  /** Read the request and never answer, not even headers. */
  | { kind: 'hang' };

export interface ScriptedReply {
  /** The reply, split into word tokens (each with its leading spaces) unless `tokens` is given. */
  text?: string;
  /** The exact tokens to send, one delta each. */
  tokens?: string[];
  /** Pause before the first token (time to first token), in ms. Default: the simulator's. */
  firstTokenDelayMs?: number;
  /** Pause between tokens, in ms. Default: the simulator's. */
  tokenDelayMs?: number;
  fault?: LlmFault;
}

/** A reply ready to play: tokens and timings resolved. */
export interface ResolvedReply {
  tokens: string[];
  firstTokenDelayMs: number;
  tokenDelayMs: number;
  fault: LlmFault | null;
}

/** Words with their leading whitespace, so that the tokens join back to the text exactly. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** Scripted replies, one per request in arrival order; a default reply once the script runs out. */
export class ReplyScript {
  private readonly queue: ScriptedReply[] = [];

  constructor(
    private readonly defaults: { firstTokenDelayMs: number; tokenDelayMs: number; reply: (lastUserText: string) => string },
  ) {}

  push(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The reply for the request being answered now. */
  next(lastUserText: string): ResolvedReply {
    const scripted = this.queue.shift() ?? {};
    return {
      tokens: scripted.tokens ?? tokenize(scripted.text ?? this.defaults.reply(lastUserText)),
      firstTokenDelayMs: scripted.firstTokenDelayMs ?? this.defaults.firstTokenDelayMs,
      tokenDelayMs: scripted.tokenDelayMs ?? this.defaults.tokenDelayMs,
      fault: scripted.fault ?? null,
    };
  }
}
