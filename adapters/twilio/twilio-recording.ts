import type twilio from 'twilio';
import type { CallRecordingSettings, RecordingReady } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import type { TwilioRestCredentials } from './twilio-options.js';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;

/**
 * The verbs before a recorded call's `<Connect>`: the consent announcement (when set), then `<Start><Recording>`
 * of both parties in two channels, reported to our webhook once complete.
 */
export function startRecording(response: VoiceResponse, recording: CallRecordingSettings | undefined): void {
  if (!recording) return;
  if (recording.announcement) response.say(recording.announcement);
  response.start().recording({
    channels: 'dual',
    recordingStatusCallback: recording.statusCallbackUrl,
    recordingStatusCallbackEvent: ['completed', 'absent'],
    recordingStatusCallbackMethod: 'POST',
  });
}

function field(params: WebhookRequest['params'], name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** A recording status callback: the finished recording, or null for any other status (absent, failed, in-progress). */
export function parseTwilioRecordingStatus(request: WebhookRequest): RecordingReady | null {
  const { params } = request;
  const callSid = field(params, 'CallSid');
  const recordingSid = field(params, 'RecordingSid');
  if (!callSid || !recordingSid || !/^RE[0-9a-fA-F]{32}$/.test(recordingSid)) {
    throw new DomainError('INVALID_INPUT', 'The Twilio recording webhook has no CallSid or RecordingSid.', 'Only Twilio should call this URL, as the recordingStatusCallback of a call.', { provider: 'twilio' });
  }
  if (field(params, 'RecordingStatus') !== 'completed') return null;
  const duration = field(params, 'RecordingDuration');
  return {
    providerCallId: callSid, recordingId: recordingSid, durationSeconds: duration && /^\d+$/.test(duration) ? Number(duration) : null,
    providerRecordingId: recordingSid,
  };
}

/**
 * Downloads a recording's WAV (`GET …/Recordings/{sid}.wav`, Basic auth). The `twilio` SDK reads JSON only and
 * has no media download, so this one request goes through fetch, to the same (configurable) API origin.
 */
export async function downloadTwilioRecording(
  options: { baseUrl: string; accountSid: string; rest: TwilioRestCredentials; timeoutMs: number }, recordingSid: string,
): Promise<{ audio: Uint8Array; contentType: string }> {
  const url = `${options.baseUrl}/2010-04-01/Accounts/${options.accountSid}/Recordings/${encodeURIComponent(recordingSid)}.wav`;
  const details = { provider: 'twilio' };
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${options.rest.username}:${options.rest.password}`).toString('base64')}` },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new DomainError(timedOut ? 'PROVIDER_TIMEOUT' : 'PROVIDER_UNAVAILABLE', `Twilio did not deliver the recording (${timedOut ? 'timeout' : 'connection failed'}).`, 'Retry later.', details);
  }
  if (response.status === 401 || response.status === 403) {
    throw new DomainError('PROVIDER_AUTH_FAILED', 'Twilio refused the credentials for the recording.', 'Check the accountSid and authToken (or apiKeySid and apiKeySecret) of the telephony options.', { ...details, providerStatus: response.status });
  }
  if (!response.ok) {
    // 404 right after the callback means "not available yet" as often as "gone": worth a retry either way.
    throw new DomainError('PROVIDER_UNAVAILABLE', `Twilio answered ${response.status} for the recording.`, 'Retry later.', { ...details, providerStatus: response.status });
  }
  return { audio: new Uint8Array(await response.arrayBuffer()), contentType: 'audio/wav' };
}
