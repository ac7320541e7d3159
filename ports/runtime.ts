/** Time, identifiers, secrets and logging come through ports so that core stays pure and tests deterministic. */

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique, URL-safe identifier, optionally prefixed (`msg_…`, `agt_…`). */
  next(prefix: string): string;
}

export interface Secrets {
  /** A new high-entropy secret, URL-safe, with the given prefix. */
  generate(prefix: string): string;
  /** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
  signingSecret(): string;
  /** One-way hash for storing tokens (hex). */
  hash(value: string): string;
  /** Constant-time comparison of two strings. */
  equal(a: string, b: string): boolean;
  /**
   * SHA-256 (hex) of the canonical JSON of `request` (object keys sorted): what a reused idempotency key must
   * match. Keyless on purpose, so every server process and every restart computes the same fingerprint.
   */
  fingerprint(request: unknown): string;
  /** Hex HMAC-SHA256 of `value` under `key` (links that must verify on any server, e.g. unsubscribe links). */
  hmac(key: string, value: string): string;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
  child(fields: LogFields): Logger;
}
