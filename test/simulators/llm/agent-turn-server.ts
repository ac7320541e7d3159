import { randomBytes } from 'node:crypto';
import { agentTurnDialect, type AgentReplyMode, type AgentTurnSettings } from './agent-turn-dialect.js';
import { LlmSimulator, type LlmSimulatorOptions } from './llm-simulator.js';

export interface AgentTurnServerOptions extends LlmSimulatorOptions {
  /** The agent's signing secret. Default: a new `whsec_…`. */
  secret?: string;
  /** Default 'sse'. */
  mode?: AgentReplyMode;
  /** Default true. */
  sendDone?: boolean;
}

/**
 * An agent's own server for the `agent-callback` brain: verifies each signed voice turn, then answers with
 * the scripted reply as SSE, chunked text/plain or JSON (`mode`), with the same timing and faults as the LLM
 * simulators. Any POST path is served; the recorded `path` shows which was called.
 */
export class AgentTurnServer extends LlmSimulator {
  readonly secret: string;
  private readonly settings: AgentTurnSettings;

  constructor(options: AgentTurnServerOptions = {}) {
    const secret = options.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
    const settings: AgentTurnSettings = { mode: options.mode ?? 'sse', sendDone: options.sendDone ?? true };
    super(agentTurnDialect(secret, settings), options);
    this.secret = secret;
    this.settings = settings;
  }

  get mode(): AgentReplyMode {
    return this.settings.mode;
  }

  set mode(mode: AgentReplyMode) {
    this.settings.mode = mode;
  }

  set sendDone(send: boolean) {
    this.settings.sendDone = send;
  }

  /** The agent's callback URL. */
  get callbackUrl(): string {
    return `${this.origin}/agent/voice`;
  }
}
