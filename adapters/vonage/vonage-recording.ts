import type { Vonage } from '@vonage/server-sdk';
import type { CallRecordingSettings, RecordingReady } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import type { NccoAction } from './vonage-ncco.js';

/** The query parameter of the record action's `eventUrl` that carries our call id back (the event names no call). */
const REFERENCE_PARAM = 'call';

/** Vonage's own file hosts (`api.nexmo.com`, `api-us.vonage.com` …): where a recording may be downloaded from. */
const VONAGE_FILE_HOST = /(^|\.)(vonage|nexmo)\.com$/;

function invalid(message: string, missingField?: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    message,
    'Only Vonage should call this URL, as the eventUrl of a call\'s record action (POST, JSON).',
    { provider: 'vonage', ...(missingField ? { missingField } : {}) },
  );
}

/**
 * The actions before a recorded conversation's `connect`: the consent announcement (when set), then `record` of
 * both parties, one channel each, for the rest of the call. Without a stop condition the record action runs
 * beside the next actions until the call ends, then its event (with the file's URL) goes to `eventUrl`, which
 * carries our call id since the event names only Vonage's conversation.
 */
export function recordingActions(recording: CallRecordingSettings | undefined, language?: string): NccoAction[] {
  if (!recording) return [];
  const eventUrl = new URL(recording.statusCallbackUrl);
  eventUrl.searchParams.set(REFERENCE_PARAM, recording.reference);
  return [
    ...(recording.announcement ? [{ action: 'talk' as const, text: recording.announcement, ...(language ? { language } : {}) }] : []),
    { action: 'record', eventUrl: [eventUrl.toString()], eventMethod: 'POST', format: 'wav', split: 'conversation', channels: 2 },
  ];
}

/**
 * True for a URL Vonage may hand us a recording at: https on one of its own hosts, or the configured API origin
 * (a regional host, a proxy or a local simulator). Our application's JWT goes with the download, so never elsewhere.
 */
function trustedFileUrl(url: URL, apiHost: string): boolean {
  if (url.origin === new URL(apiHost).origin) return true;
  return url.protocol === 'https:' && VONAGE_FILE_HOST.test(url.hostname);
}

/**
 * The record action's event (POST JSON, signed like every Voice API webhook): `recording_url`, `start_time`,
 * `end_time`, `conversation_uuid`, no call uuid. The recording is always ready when it comes; its id is its URL.
 */
export function parseVonageRecording(request: WebhookRequest, apiHost: string): RecordingReady {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(request.rawBody) as Record<string, unknown>;
  } catch {
    throw invalid('The Vonage recording webhook body is not JSON.');
  }
  if (!fields || typeof fields !== 'object') throw invalid('The Vonage recording webhook body is not a JSON object.');
  const reference = new URL(request.url).searchParams.get(REFERENCE_PARAM);
  if (!reference) throw invalid('The Vonage recording webhook URL names no call.', REFERENCE_PARAM);
  const recordingUrl = typeof fields.recording_url === 'string' && URL.canParse(fields.recording_url) ? new URL(fields.recording_url) : null;
  if (!recordingUrl) throw invalid('The Vonage recording webhook has no recording_url.', 'recording_url');
  if (!trustedFileUrl(recordingUrl, apiHost)) throw invalid('The Vonage recording webhook points at a host that is not Vonage\'s.');
  const started = Date.parse(String(fields.start_time));
  const ended = Date.parse(String(fields.end_time));
  const durationSeconds = Number.isNaN(started) || Number.isNaN(ended) || ended < started ? null : Math.round((ended - started) / 1000);
  return {
    providerCallId: null, reference, recordingId: recordingUrl.toString(), durationSeconds,
    providerRecordingId: optionalId(fields.recording_uuid), providerConversationId: optionalId(fields.conversation_uuid),
  };
}

/** A Vonage id field (a UUID, or `CON-…` for conversations), or null when absent or not a plausible id. */
function optionalId(value: unknown): string | null {
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,100}$/.test(value) ? value : null;
}

/**
 * Downloads a recording from its `recording_url` with the application's JWT, made by the official SDK's client
 * (its own `downloadFile` writes to a path and accepts only Vonage's public hosts, so the bytes are fetched here).
 */
export async function downloadVonageRecording(
  voice: Vonage['voice'], recordingUrl: string, options: { apiHost: string; timeoutMs: number },
): Promise<{ audio: Uint8Array; contentType: string }> {
  const details = { provider: 'vonage' };
  if (!URL.canParse(recordingUrl) || !trustedFileUrl(new URL(recordingUrl), options.apiHost)) {
    throw new DomainError('INVALID_INPUT', 'The recording is not at a Vonage address.', 'Only recordings Vonage reported can be fetched.', details);
  }
  const signed = await voice.addAuthenticationToRequest({ url: recordingUrl, method: 'GET' } as Parameters<Vonage['voice']['addAuthenticationToRequest']>[0]);
  let response: Response;
  try {
    response = await fetch(recordingUrl, { headers: signed.headers as Record<string, string>, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new DomainError(timedOut ? 'PROVIDER_TIMEOUT' : 'PROVIDER_UNAVAILABLE', `Vonage did not deliver the recording (${timedOut ? 'timeout' : 'connection failed'}).`, 'Retry later.', details);
  }
  if (response.status === 401 || response.status === 403) {
    throw new DomainError('PROVIDER_AUTH_FAILED', 'Vonage refused the application\'s credentials for the recording.', 'Check the applicationId and privateKey of the telephony options.', { ...details, providerStatus: response.status });
  }
  if (!response.ok) {
    throw new DomainError('PROVIDER_UNAVAILABLE', `Vonage answered ${response.status} for the recording.`, 'Retry later.', { ...details, providerStatus: response.status });
  }
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  return { audio: new Uint8Array(await response.arrayBuffer()), contentType: type === 'audio/mpeg' ? 'audio/mpeg' : 'audio/wav' };
}
