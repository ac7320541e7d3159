import type { BrainFaultKind, BrainHarness, BrainScript, FarSideTurn } from '../../../contracts/brain.js';
import type { ParsedLlmRequest } from './llm-dialect.js';
import type { LlmSimulator } from './llm-simulator.js';
import type { LlmFault, ScriptedReply } from './scripted-reply.js';

export const ALL_BRAIN_FAULTS: readonly BrainFaultKind[] = [
  'server-error', 'rate-limit', 'auth', 'rejected', 'drop', 'stall', 'error-mid-stream', 'drop-mid-stream', 'stall-mid-stream',
];

export interface LlmBrainHarnessOptions {
  secrets: readonly string[];
  timeoutMs: number;
  idleTimeoutMs: number;
  /** Default 3. */
  rateLimitRetryAfterSeconds?: number;
  agentEndpoint?: BrainHarness['agentEndpoint'];
  faults?: readonly BrainFaultKind[];
}

/** A contract fault, as the simulator plays it. */
function simulatorFault(fault: NonNullable<BrainScript['fault']>, retryAfterSeconds: number): LlmFault {
  const afterTokens = fault.afterTokens ?? 0;
  switch (fault.kind) {
    case 'server-error': return { kind: 'status', status: 500 };
    case 'rate-limit': return { kind: 'status', status: 429, retryAfterSeconds };
    case 'auth': return { kind: 'status', status: 401 };
    case 'rejected': return { kind: 'status', status: 400 };
    case 'drop': return { kind: 'drop' };
    case 'stall': return { kind: 'stall', afterTokens: 0 };
    case 'error-mid-stream': return { kind: 'error-mid-stream', afterTokens };
    case 'drop-mid-stream': return { kind: 'drop', afterTokens };
    case 'stall-mid-stream': return { kind: 'stall', afterTokens };
  }
}

function farSideTurn(parsed: ParsedLlmRequest): FarSideTurn {
  return {
    instructions: parsed.system ?? '',
    history: parsed.messages.map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', text: m.content })),
  };
}

/** The brain contract's view of an LLM simulator (or an agent's server built on it). */
export function llmBrainHarness(sim: LlmSimulator, options: LlmBrainHarnessOptions): BrainHarness {
  const retryAfterSeconds = options.rateLimitRetryAfterSeconds ?? 3;
  return {
    faults: options.faults ?? ALL_BRAIN_FAULTS,
    secrets: options.secrets,
    timeoutMs: options.timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    rateLimitRetryAfterSeconds: retryAfterSeconds,
    agentEndpoint: options.agentEndpoint,
    scriptReply(script) {
      const reply: ScriptedReply = {
        tokens: script.tokens,
        firstTokenDelayMs: script.tokenDelayMs ?? 0,
        tokenDelayMs: script.tokenDelayMs ?? 0,
        fault: script.fault ? simulatorFault(script.fault, retryAfterSeconds) : undefined,
      };
      sim.enqueue(reply);
    },
    lastRequest() {
      const parsed = sim.requests.filter((r) => r.parsed !== null).at(-1)?.parsed;
      return parsed ? farSideTurn(parsed) : null;
    },
    requestCount: () => sim.requests.length,
    async upstreamAborted() {
      const last = sim.lastRequest();
      if (!last) return false;
      await sim.finished(last, 1000);
      return last.clientAborted;
    },
  };
}
