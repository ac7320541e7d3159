/** Persistent records shared by core and the repository adapters. Plain data, no behaviour. */

export type Channel = 'sms' | 'email' | 'whatsapp';
export const CHANNELS: readonly Channel[] = ['sms', 'email', 'whatsapp'];

export type Direction = 'outbound' | 'inbound';

/**
 * Lifecycle of a message. `pending` is ours: persisted, provider not yet answered. The rest follow the
 * providers' vocabulary (Twilio's Message status values, reduced to the ones agents act on).
 */
export type MessageStatus =
  | 'pending'
  | 'accepted'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'undelivered'
  | 'failed'
  | 'canceled'
  | 'received';

export const MESSAGE_STATUSES: readonly MessageStatus[] = [
  'pending', 'accepted', 'queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed',
  'canceled', 'received',
];

export interface AgentRecord {
  id: string;
  name: string;
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  tokenHash: string;
  /** Where inbound messages are forwarded; null falls back to the server-wide default. */
  callbackUrl: string | null;
  /** Signs forwarded callbacks (Standard Webhooks); shown once at creation. */
  callbackSecret: string;
  status: 'active' | 'disabled';
  /** Why its sending is suspended (the anomaly that suspended it) until an admin resumes it; null or absent: it may send. */
  sendingSuspended?: string | null;
  /** Live-voice settings ({} when none). */
  voice: AgentVoiceSettings;
  createdAt: Date;
  updatedAt: Date;
  /** The customer (tenant) that owns it; absent or null: the operator's own. */
  customerId?: string | null;
  /**
   * How it is reached: its own number (`dedicated`, absent), a number shared with other agents (`shared`,
   * see `sharedNumber`), or both (`hybrid`: its own number, and the shared one too).
   */
  identity?: AgentIdentity;
  /** The shared number (E.164) it answers on in `shared` and `hybrid` identity. */
  sharedNumber?: string | null;
  /**
   * Name of the stored credential set its telephony uses (its customer's or its own subaccount);
   * absent: the server's configured provider account.
   */
  credentialsRef?: string | null;
  /** Its own provider subaccount (`per-agent` isolation), closed with its customer. */
  providerAccount?: string | null;
}

export const AGENT_IDENTITIES = ['dedicated', 'shared', 'hybrid'] as const;
export type AgentIdentity = (typeof AGENT_IDENTITIES)[number];

export interface AgentChannelRecord {
  id: string;
  agentId: string;
  channel: Channel;
  /** E.164 number for sms/whatsapp, mailbox address for email. Unique per channel. */
  address: string;
  createdAt: Date;
}

export interface MessageRecord {
  id: string;
  agentId: string;
  channel: Channel;
  direction: Direction;
  from: string;
  to: string;
  body: string;
  status: MessageStatus;
  /** Plugin id of the adapter that carried it (`twilio`, `mock` …). */
  provider: string;
  providerMessageId: string | null;
  idempotencyKey: string | null;
  /** Fingerprint of the request that used `idempotencyKey`, to refuse the key's reuse for another message. */
  requestHash: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Channel-specific extras (media URLs, subject, segments …) as JSON-safe data. */
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type CallbackDeliveryStatus = 'pending' | 'delivered' | 'dead';

/** Outbox row: a forward of an inbound event to the agent's callback URL, retried until delivered. */
export interface CallbackDeliveryRecord {
  id: string;
  agentId: string;
  /** The message it forwards; null for events about something else (`usage.threshold`). */
  messageId: string | null;
  url: string;
  /** The exact JSON body to POST (signed as is). */
  payload: string;
  status: CallbackDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A WhatsApp sender of the shared pool: dedicated to one agent, or shared (`agentId` null). */
export interface WhatsAppSenderRecord {
  id: string;
  /** E.164 number registered as a WhatsApp sender with the provider. */
  address: string;
  agentId: string | null;
  createdAt: Date;
}

export interface CallEvent {
  status: string;
  at: string;
}

/** One phone call, with the history of its statuses. */
export interface CallLogRecord {
  id: string;
  agentId: string;
  direction: Direction;
  from: string;
  to: string;
  /** Latest `CallStatus` (see ports/calls.ts). */
  status: string;
  /** Every status seen, in the order applied. */
  history: CallEvent[];
  provider: string;
  providerCallId: string | null;
  /** Public URL of the audio played, for voice messages. */
  audioUrl: string | null;
  /** Storage key of that audio. */
  audioKey: string | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  durationSeconds: number | null;
  priceMicros: number | null;
  currency: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Use-case specific data (text spoken, voice, repeat, SMS fallback …). */
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic-concurrency version: every update increments it. */
  version: number;
}

export type CallSpeaker = 'caller' | 'agent';

/** One turn of a live conversation's transcript. */
export interface CallTurnRecord {
  id: string;
  callId: string;
  /** 1, 2, 3 … in the order spoken. */
  seq: number;
  speaker: CallSpeaker;
  /** For the agent: only what the caller heard (cut at the interruption). */
  text: string;
  /** The caller interrupted this agent turn. */
  interrupted: boolean;
  createdAt: Date;
  /** Agent turns answering a caller: how long each stage took (absent or null when not measured). */
  latency?: TurnLatency | null;
}

/**
 * Where the time went between the caller's last word and the first sound of the agent's answer, in
 * milliseconds; null for a stage this call's transport does not see (ConversationRelay recognises and speaks
 * on the provider's side, so only the brain is timed there).
 */
export interface TurnLatency {
  /** The caller stopped speaking → the recogniser's final result. */
  sttMs: number | null;
  /** The final result (or the provider's prompt) → the brain's first token. */
  brainMs: number | null;
  /** The first token → the first synthesised audio. */
  ttsMs: number | null;
  /** The first audio → its first frame sent to the provider. */
  sendMs: number | null;
  /** The caller stopped speaking → the first frame sent. */
  totalMs: number | null;
}

/** Per-agent settings for live voice conversations; unset fields take the server's defaults. */
export interface AgentVoiceSettings {
  greeting?: string;
  /** System instructions for the brain: persona, purpose, limits. */
  instructions?: string;
  voice?: string;
  language?: string;
  interruptible?: boolean;
  /** How the call's speech is carried: the provider's ConversationRelay, or our own media pipeline. */
  transport?: VoiceTransport;
  /** Record this agent's live calls (both directions) unless a call says otherwise. */
  record?: boolean;
  /** Detect answering machines on this agent's outbound calls and voice messages. */
  machineDetection?: boolean;
  /** A live call that reaches a machine: leave a voicemail about its purpose, or hang up. */
  onMachine?: 'voicemail' | 'hangup';
}

export type VoiceTransport = 'conversationrelay' | 'media-stream';
