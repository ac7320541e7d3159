import type { WebhookRequest } from './webhook.js';

/** Twilio's call status vocabulary, which the other providers' statuses are mapped onto. */
export type CallStatus =
  | 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';

export const CALL_STATUSES: readonly CallStatus[] = [
  'queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled',
];

/** Statuses after which nothing more happens on a call. */
export const FINAL_CALL_STATUSES: readonly CallStatus[] = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];

/** What the callee hears once the call is answered, provider-neutral. */
export type CallScript =
  /** Play audio files (MP3 or WAV at public URLs), the whole list `loop` times. */
  | { kind: 'play'; audioUrls: string[]; loop: number };

export interface MakeCallRequest {
  /** E.164 caller id: the agent's number. */
  from: string;
  to: string;
  script: CallScript;
  /** Where the provider reports initiated / ringing / answered / completed, built from `publicBaseUrl`. */
  statusCallbackUrl?: string;
  /** Seconds to let it ring before giving up (provider default when absent). */
  ringTimeoutSeconds?: number;
  /** Our call id; adapters that push events echo it back. */
  reference: string;
}

export interface MakeCallResult {
  providerCallId: string;
  status: CallStatus;
}

export interface CallStatusUpdate {
  providerCallId: string;
  status: CallStatus;
  /** Seconds the call was connected, when the provider reports it (on completion). */
  durationSeconds: number | null;
  /** Price in micro-units of `currency` (negative amounts as charged), when known. */
  priceMicros: number | null;
  currency: string | null;
  /** When the provider says the change happened; null if it does not say. */
  occurredAt: Date | null;
}

/**
 * The call half of the `telephony` port, for adapters whose capabilities include `voice`.
 * Failures are `DomainError`s with the SMS half's codes.
 */
export interface TelephonyCalls {
  makeCall(request: MakeCallRequest): Promise<MakeCallResult>;
  /** Parses a call status webhook (signature checked separately with `verifyWebhook`). */
  parseCallStatus(request: WebhookRequest): CallStatusUpdate;
  /** Ends a live call. */
  hangUp(providerCallId: string): Promise<void>;
}
