import type { JsonSchema } from '../../ports/json-schema.js';
import { turnLimitProperties } from '../brain-stream/turn-limit-options.js';

export const DEFAULT_AGENT_CALLBACK_TIMEOUT_MS = 10_000;
export const DEFAULT_AGENT_CALLBACK_IDLE_TIMEOUT_MS = 5_000;

export interface AgentCallbackBrainOptions {
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** Appended to the path of each agent's callback URL, e.g. `/voice-turn`. */
  pathSuffix?: string;
}

export type ResolvedAgentCallbackBrainOptions = Required<AgentCallbackBrainOptions>;

export const agentCallbackBrainOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Agent callback brain options (the agent answers each turn itself)',
  type: 'object',
  additionalProperties: false,
  properties: {
    pathSuffix: {
      type: 'string',
      pattern: '^(/[^\\s?#]*)?$',
      default: '',
      description: 'Path appended to each agent\'s callback URL for voice turns, e.g. /voice-turn; empty to POST to the callback URL itself.',
    },
    ...turnLimitProperties({ timeoutMs: DEFAULT_AGENT_CALLBACK_TIMEOUT_MS, idleTimeoutMs: DEFAULT_AGENT_CALLBACK_IDLE_TIMEOUT_MS }),
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveAgentCallbackBrainOptions(options: AgentCallbackBrainOptions): ResolvedAgentCallbackBrainOptions {
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_AGENT_CALLBACK_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_AGENT_CALLBACK_IDLE_TIMEOUT_MS,
    pathSuffix: options.pathSuffix ?? '',
  };
}
