import type { VoiceTransport } from './records.js';
import type { WebhookReply, WebhookRequest } from './webhook.js';

/** Twilio's call status vocabulary, which the other providers' statuses are mapped onto. */
export type CallStatus =
  | 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';

export const CALL_STATUSES: readonly CallStatus[] = [
  'queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled',
];

/** Statuses after which nothing more happens on a call. */
export const FINAL_CALL_STATUSES: readonly CallStatus[] = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];

/** How a live AI conversation is set up with the provider (Twilio ConversationRelay and the like). */
export interface ConversationSettings {
  /**
   * `conversationrelay` (default): the provider recognises speech and speaks our text (Twilio
   * ConversationRelay). `media-stream`: the provider streams raw call audio both ways (Twilio `<Connect><Stream>`,
   * bidirectional) and this server recognises and synthesises speech itself; `welcomeGreeting`, `voice`
   * and `language` are then ours to apply, not the provider's.
   */
  transport?: VoiceTransport;
  /** `wss://` URL of our voice socket for this call; the provider connects to it and signs the upgrade. */
  relayUrl: string;
  /** Spoken by the provider as soon as the call connects; null for none. */
  welcomeGreeting: string | null;
  /** Provider voice name and language (BCP 47), when not the provider's defaults. */
  voice?: string;
  language?: string;
  /** Whether the caller can interrupt the agent by speaking. */
  interruptible: boolean;
  /** Where the provider goes when the conversation ends (transfer or hang-up), built from `publicBaseUrl`. */
  actionUrl: string;
  /** Passed through to the socket's setup message. */
  parameters?: Record<string, string>;
  /** Record the call (both sides); the provider reports the finished recording to `statusCallbackUrl`. */
  recording?: CallRecordingSettings;
}

export interface CallRecordingSettings {
  statusCallbackUrl: string;
  /**
   * Our call id. Adapters whose recording webhook names no call (Vonage reports only its conversation) put it in
   * their webhook URL and echo it back as `RecordingReady.reference`.
   */
  reference: string;
  /**
   * Played to the other party before anything else when set (the consent announcement recording laws ask
   * for); null plays nothing.
   */
  announcement: string | null;
}

/** A finished recording, from the provider's recording status webhook. */
export interface RecordingReady {
  /** The provider's call id; null when the webhook names none (then `reference` says which call). */
  providerCallId: string | null;
  /** Our call id, as given in `CallRecordingSettings.reference`, when the provider does not name its call. */
  reference?: string;
  /** What `fetchRecording` takes to download it (Twilio: the RecordingSid; Vonage: the file's URL). */
  recordingId: string;
  durationSeconds: number | null;
  /**
   * The provider's own ids of the recording and of its conversation (Vonage: `recording_uuid`, `conversation_uuid`),
   * kept with the stored recording so that a replayed event is known for what it is; absent when the event has none.
   */
  providerRecordingId?: string | null;
  providerConversationId?: string | null;
}

/** What the callee hears once the call is answered, provider-neutral. */
export type CallScript =
  /** Play audio files (MP3 or WAV at public URLs), the whole list `loop` times. */
  | { kind: 'play'; audioUrls: string[]; loop: number }
  /** Hold a live conversation through the voice socket. */
  | { kind: 'converse'; conversation: ConversationSettings };

/** Who picked up, as answering-machine detection tells it. */
export type AnsweredBy = 'human' | 'machine' | 'fax' | 'unknown';

/** What an answered call does once detection is done: its script, a message spoken by the provider, or hang up. */
export type AnswerScript = CallScript | { kind: 'say'; text: string; language?: string } | { kind: 'hangup' };

/** An incoming call, from the provider's voice webhook. */
export interface IncomingCall {
  providerCallId: string;
  from: string;
  to: string;
}

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
  /** The request that asked for the call, for the adapter's log lines about it. */
  requestId?: string;
  /**
   * Detect an answering machine before anything is played, waiting for the end of its greeting (the beep).
   * The script is then not sent with the call: the provider asks `answerUrl` (with the detection's result)
   * and runs what the answer says. Only for adapters whose `TelephonyCalls` have `parseAnsweredCall`, or (the
   * result coming as a call event) `continueAnsweredCall`.
   */
  machineDetection?: { answerUrl: string };
}

export interface MakeCallResult {
  providerCallId: string;
  status: CallStatus;
  /** Composite adapters (a failover list) only: the plugin id of the member that placed the call. */
  provider?: string;
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
  /**
   * The agent's own number on this call (the callee of an inbound call, the caller of an outbound one) when
   * the webhook says: it lets one status URL serve every agent.
   */
  agentNumber?: string | null;
  /**
   * Answering-machine detection's result, when the provider reports it as a call event (Vonage) rather than by
   * asking `machineDetection.answerUrl`: the call then waits, and `continueAnsweredCall` tells it what to run.
   */
  answeredBy?: AnsweredBy | null;
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
  /** What the provider charged for an ended call, when the status callback did not say; null while unpriced. Optional. */
  fetchCallPrice?(providerCallId: string): Promise<{ priceMicros: number; currency: string } | null>;
  /**
   * Parses a recording status webhook (signature checked separately): the finished recording, or null for
   * a report that is not about one ready to fetch (in progress, absent, failed).
   */
  parseRecordingStatus?(request: WebhookRequest): RecordingReady | null;
  /** Parses the answer webhook of a call placed with `machineDetection` (signature checked separately). */
  parseAnsweredCall?(request: WebhookRequest): { providerCallId: string; answeredBy: AnsweredBy };
  /** The answer to that webhook. */
  answerCall?(script: AnswerScript): WebhookReply;
  /**
   * For adapters that report detection as a call event (`CallStatusUpdate.answeredBy`): the call placed with
   * `machineDetection` waits silently until this gives it its script.
   */
  continueAnsweredCall?(providerCallId: string, script: AnswerScript): Promise<void>;
  /** Downloads a finished recording's audio. */
  fetchRecording?(recordingId: string): Promise<{ audio: Uint8Array; contentType: string }>;
  /** Parses the provider's incoming-call webhook (signature checked separately with `verifyWebhook`). */
  parseIncomingCall(request: WebhookRequest): IncomingCall;
  /** The answer to an incoming-call webhook that connects the call to our voice socket. */
  answerWithConversation(settings: ConversationSettings): WebhookReply;
  /**
   * Parses the webhook the provider sends when a conversation ends (the `actionUrl`): the call and the
   * handoff data our socket sent with its `end` message (null when the caller hung up).
   */
  parseConversationEnd(request: WebhookRequest): { providerCallId: string; handoffData: string | null };
  /** Answer to the conversation-end webhook that connects the caller to a human at `to`. */
  answerWithTransfer(to: string, callerId: string): WebhookReply;
  /** Answer to the conversation-end webhook that ends the call. */
  answerWithHangup(): WebhookReply;
}
