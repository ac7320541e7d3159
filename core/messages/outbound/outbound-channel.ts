import type { AgentRecord, MessageRecord, MessageStatus } from '../../../ports/records.js';
import type { UsageUnit } from '../../../ports/usage.js';
import type { UseCaseContext } from '../../context.js';
import type { SendMessageInput } from './send-input.js';

/** What a channel makes of a send request before anything is stored. */
export interface PreparedMessage {
  from: string;
  /** Recipients as stored and listed (several email addresses are joined with ", "). */
  to: string;
  body: string;
  metadata: Record<string, unknown>;
  /** Plugin id of the adapter that will carry it. */
  provider: string;
  /** Everything that makes this request what it is: a reused idempotency key must match it. */
  fingerprint: unknown;
  /** What the recipient will read (body; subject, text and html; template variables), for the content filter. */
  content: string;
  /** What `send` needs beyond the stored message (e.g. attachment bytes), kept in memory only. */
  extras: Record<string, unknown>;
}

/** What a prepared message uses, for limits and billing. */
export interface MessageMeter {
  units: number;
  unit: UsageUnit;
  /** Everyone it reaches (per-contact limits). */
  contacts: string[];
}

/** One channel's half of comms_send_message: validate and shape, then hand to its port. */
export interface OutboundChannel {
  prepare(ctx: UseCaseContext, agent: AgentRecord, input: SendMessageInput): Promise<PreparedMessage>;
  meter(prepared: PreparedMessage): MessageMeter;
  /** Sends a stored `pending` message; throws the port's DomainError on failure. */
  send(ctx: UseCaseContext, message: MessageRecord, prepared: PreparedMessage): Promise<{ providerMessageId: string; status: MessageStatus; provider?: string }>;
}
