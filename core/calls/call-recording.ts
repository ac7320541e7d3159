import type { CallRecordingSettings, RecordingReady } from '../../ports/calls.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { CallLogRecord } from '../../ports/records.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { requirePort, requireTelephony, type CorePorts } from '../context.js';
import { invalidSignature } from '../messages/inbound/store-inbound.js';
import { telephonySigner } from '../customers/webhook-account.js';
import { updateCall } from './update-call.js';
import { recordingAnnouncement } from '../compliance/recording-consent.js';
import { agentFileKey } from '../agent-files.js';

/** How long a recording link in comms_get_call works. */
const RECORDING_URL_TTL_SECONDS = 60 * 60;

/**
 * How long a delivery of the recording event owns the download before another may take it over: a process that
 * died mid-download must not keep the recording from ever being stored. Far above any download's timeout.
 */
const CLAIM_LEASE_MS = 10 * 60 * 1000;

/** The provider's ids of a recording, kept with it (Vonage: recording_uuid, conversation_uuid). */
interface RecordingIds {
  providerRecordingId: string | null;
  providerConversationId: string | null;
}

/** Where a stored recording is, kept in the call's metadata. */
interface StoredRecording extends RecordingIds {
  key: string;
  durationSeconds: number | null;
  contentType: string;
}

/** A delivery of the recording event is downloading it (kept in the call's metadata until the recording is stored). */
interface RecordingClaim extends RecordingIds {
  fetchingSince: string;
}

/** Refuses to record when the recording could not be kept: no storage, or an adapter that cannot fetch recordings. */
export function requireRecording(ports: CorePorts): void {
  requirePort(ports, 'storage');
  const telephony = requireTelephony(ports);
  if (!telephony.port.calls?.fetchRecording || !telephony.port.calls.parseRecordingStatus) {
    throw new DomainError('CHANNEL_NOT_CONFIGURED', `The ${telephony.id} adapter cannot record calls.`, 'Configure a telephony adapter that records, or call without record.', { port: 'telephony' });
  }
}

/** The recording settings of a call that is to be recorded (its metadata says so), else undefined. */
export function recordingSettings(ports: CorePorts, call: CallLogRecord): CallRecordingSettings | undefined {
  if (call.metadata.record !== true) return undefined;
  return {
    statusCallbackUrl: `${ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(call.agentId)}/voice/recording`,
    reference: call.id,
    announcement: recordingAnnouncement(ports, call),
  };
}

/**
 * The provider's recording is ready: download it, keep it through the storage port (so erasure and expiry
 * cover it), and note it on the call. Signature first; a report about an unknown call is only logged.
 */
export async function receiveRecording(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  // A subaccount's recording is signed with, and fetched with, the subaccount's credentials.
  const telephony = await telephonySigner(ports, agentId, request);
  const calls = telephony.port.calls;
  if (!calls?.parseRecordingStatus || !calls.fetchRecording) throw invalidSignature();
  const ready = calls.parseRecordingStatus(request);
  if (!ready) return telephony.port.webhookReply();
  const call = await recordedCall(ports, agentId, ready);
  if (!call) {
    ports.logger.warn({ agentId }, 'recording of an unknown call ignored');
    return telephony.port.webhookReply();
  }
  const storage = requirePort(ports, 'storage');
  const ids: RecordingIds = { providerRecordingId: ready.providerRecordingId ?? null, providerConversationId: ready.providerConversationId ?? null };
  // A replayed event (even one racing the first delivery) finds the recording stored or claimed: acknowledged, not fetched again.
  const claim = await claimRecording(ports, call.id, ids);
  if (!claim) return telephony.port.webhookReply();
  try {
    const { audio, contentType } = await calls.fetchRecording(ready.recordingId);
    const key = agentFileKey(call.agentId, `recordings/${call.id}.${contentType === 'audio/mpeg' ? 'mp3' : 'wav'}`);
    await storage.port.put(key, audio, contentType);
    const recording: StoredRecording = { key, durationSeconds: ready.durationSeconds, contentType, ...ids };
    await updateCall(ports, call.id, (current) => ({ metadata: { ...current.metadata, recording } }));
  } catch (err) {
    // Let the provider's retry take it up again; say so rather than losing the recording quietly.
    await releaseClaim(ports, call.id, claim);
    ports.logger.warn({ callId: call.id, code: isDomainError(err) ? err.code : 'INTERNAL' }, 'could not fetch and store a call recording');
    throw isDomainError(err) ? err : new DomainError('PROVIDER_UNAVAILABLE', 'The recording could not be fetched or stored.', 'The provider will retry.');
  }
  return telephony.port.webhookReply();
}

/**
 * Takes the download of the call's recording for this delivery, in the call's record (optimistic concurrency: of
 * deliveries racing, one wins): null when it is stored already or another delivery holds a live claim.
 */
async function claimRecording(ports: CorePorts, callId: string, ids: RecordingIds): Promise<RecordingClaim | null> {
  const now = ports.clock.now();
  const claim: RecordingClaim = { fetchingSince: now.toISOString(), ...ids };
  const updated = await updateCall(ports, callId, (current) => {
    if (storedRecording(current)) return null;
    const held = recordingClaim(current);
    if (held && now.getTime() - Date.parse(held.fetchingSince) < CLAIM_LEASE_MS) return null;
    return { metadata: { ...current.metadata, recording: claim } };
  });
  return updated ? claim : null;
}

/** Gives up this delivery's claim (a failed download), unless another delivery has taken it over meanwhile. */
async function releaseClaim(ports: CorePorts, callId: string, claim: RecordingClaim): Promise<void> {
  await updateCall(ports, callId, (current) => {
    if (recordingClaim(current)?.fetchingSince !== claim.fetchingSince) return null;
    const { recording: _released, ...metadata } = current.metadata;
    return { metadata };
  }).catch((err: unknown) => ports.logger.warn({ callId, code: isDomainError(err) ? err.code : 'INTERNAL' }, 'could not release a recording claim'));
}

function recordingClaim(call: CallLogRecord): RecordingClaim | null {
  const value = call.metadata.recording as Partial<RecordingClaim> | undefined;
  return value && typeof value.fetchingSince === 'string' ? (value as RecordingClaim) : null;
}

/** The call a recording belongs to: by the provider's call id, or by our own id when the provider names no call. */
async function recordedCall(ports: CorePorts, agentId: string, ready: RecordingReady): Promise<CallLogRecord | null> {
  if (ready.providerCallId) return ports.db.calls.findByProviderId(agentId, ready.providerCallId);
  const call = ready.reference ? await ports.db.calls.findById(ready.reference) : null;
  // Another agent's call is as unknown here as one that does not exist.
  return call?.agentId === agentId ? call : null;
}

function storedRecording(call: CallLogRecord): StoredRecording | null {
  const value = call.metadata.recording as Partial<StoredRecording> | undefined;
  return value && typeof value.key === 'string' ? (value as StoredRecording) : null;
}

/** The recording of a call for comms_get_call: a fresh signed link and its length, or null. */
export async function recordingView(ports: CorePorts, call: CallLogRecord): Promise<{ url: string; durationSeconds: number | null } | null> {
  const stored = storedRecording(call);
  if (!stored || !ports.storage) return null;
  return { url: await ports.storage.port.signedUrl(stored.key, RECORDING_URL_TTL_SECONDS), durationSeconds: stored.durationSeconds };
}
