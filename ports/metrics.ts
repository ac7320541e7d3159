/**
 * Operational counters, so core and hosts report what happens without knowing the metrics library.
 * Every label value is a fixed word (a channel, a status, an error code, a tool or plugin name): never a
 * number, an address, an id or a text.
 */
export interface Metrics {
  /** A message reached `status` (stored, or moved to it by the provider's answer or a report). */
  message(channel: string, direction: 'inbound' | 'outbound', status: string): void;
  /** A provider adapter call ended: `outcome` is `ok` or the error code. */
  providerCall(port: string, adapter: string, method: string, outcome: string, seconds: number): void;
  /** A provider webhook's signature was checked. */
  webhookVerification(port: string, result: 'valid' | 'invalid'): void;
  /** A tool (use case) call ended: `code` is `ok` or the error code. */
  toolCall(tool: string, code: string): void;
  /** The pre-send policy refused an action. */
  refusal(kind: 'limit' | 'compliance', rule: string, code: string): void;
}

/** Metrics switched off: every report is dropped. */
export const NO_METRICS: Metrics = {
  message: () => undefined,
  providerCall: () => undefined,
  webhookVerification: () => undefined,
  toolCall: () => undefined,
  refusal: () => undefined,
};
