import type { JsonSchema } from '../../ports/json-schema.js';

/** The JSON Schema of `timeoutMs` and `idleTimeoutMs`, shared by every network brain's options. */
export function turnLimitProperties(defaults: { timeoutMs: number; idleTimeoutMs: number }): Record<string, JsonSchema> {
  return {
    timeoutMs: {
      type: 'integer',
      minimum: 50,
      maximum: 300_000,
      default: defaults.timeoutMs,
      description: 'Longest wait for the first token of a reply, in milliseconds; then the request is cancelled and the turn fails with PROVIDER_TIMEOUT.',
    },
    idleTimeoutMs: {
      type: 'integer',
      minimum: 50,
      maximum: 300_000,
      default: defaults.idleTimeoutMs,
      description: 'Longest pause between two tokens of a reply, in milliseconds; then the request is cancelled and the turn fails with PROVIDER_TIMEOUT.',
    },
  };
}
