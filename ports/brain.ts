/** One exchange of a conversation, as heard: assistant turns hold only what the caller actually heard. */
export interface ConversationTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface BrainRequest {
  /** System instructions: who the agent is, the call's purpose, how to behave on the phone. */
  instructions: string;
  /**
   * The conversation so far, oldest first, as heard: usually ending with the caller's new turn, but it
   * may be empty, start with the agent, hold consecutive turns of one speaker or empty (interrupted)
   * turns. Adapters shape it for their model.
   */
  history: ConversationTurn[];
  callId: string;
  agentId: string;
  /**
   * The agent's own endpoint and signing secret (Standard Webhooks), for adapters that let the agent
   * itself answer (`agent-callback`); null when the agent has none.
   */
  agentEndpoint: { url: string; secret: string } | null;
  /** Aborted when the caller interrupts or hangs up: stop generating and release the connection. */
  signal: AbortSignal;
}

export interface BrainCapabilities {
  /** Tokens arrive incrementally (false: the whole reply comes as one chunk). */
  streaming: boolean;
}

/**
 * The `brain` port: what answers each turn of a live voice conversation.
 *
 * `reply` yields the answer as text chunks in order, as soon as they exist. When `signal` aborts, the
 * iteration returns promptly (without throwing) and the upstream request is cancelled. Failures, before
 * or during the stream, are `DomainError`s: `PROVIDER_UNAVAILABLE`, `PROVIDER_TIMEOUT` (no first token or
 * a stalled stream within the adapter's timeout), `RATE_LIMITED`, `PROVIDER_AUTH_FAILED`,
 * `PROVIDER_REJECTED`.
 */
export interface BrainPort {
  readonly capabilities: BrainCapabilities;
  reply(request: BrainRequest): AsyncIterable<string>;
  close?(): Promise<void>;
}
