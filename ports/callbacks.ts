/** A forward of an event to an agent's own HTTP endpoint. */
export interface SignedCallback {
  url: string;
  /** Unique per event and stable across retries, so the receiver can drop duplicates. */
  id: string;
  /** Seconds since the epoch, part of the signed content (the receiver refuses stale ones). */
  timestamp: number;
  /** JSON text, signed exactly as sent. */
  body: string;
  /** The agent's signing secret (`whsec_…`). */
  secret: string;
}

/** Delivers signed JSON POSTs to agents' callback URLs. */
export interface CallbackSender {
  /**
   * Resolves with the HTTP status the receiver answered (any status); rejects only when no answer came
   * (connection refused, DNS failure, timeout).
   */
  post(callback: SignedCallback, timeoutMs: number): Promise<{ status: number }>;
}
