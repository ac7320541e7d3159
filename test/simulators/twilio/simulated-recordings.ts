import { encodeWav } from '../../../adapters/audio/wav.js';
import type { SimulatedAccount } from './simulated-account.js';
import type { SimulatedCall } from './twilio-call-resource.js';
import { API_VERSION, newSid, rfc2822 } from './twilio-message-resource.js';
import { postWebhook, signTwilioWebhook } from './twilio-webhook-signing.js';

export interface SimulatedRecording {
  sid: string;
  /** The account of the recorded call (a subaccount's recordings are under its own SID). */
  accountSid: string;
  callSid: string;
  durationSeconds: number;
  /** 8 kHz 16-bit WAV as long as the call was connected. */
  wav: Uint8Array;
  /** The receiver's answer to the recording status callback; null when none came. */
  callbackStatus: number | null;
}

const RECORDING_MEDIA = /^\/2010-04-01\/Accounts\/([^/]+)\/Recordings\/(RE[0-9a-f]{32})\.wav$/;

/**
 * Recordings started with `<Start><Recording>`: when the call completes, the recording exists (`GET
 * …/Recordings/{sid}.wav`) and the `completed` status callback is POSTed, signed.
 */
export class SimulatedRecordings {
  readonly recordings: SimulatedRecording[] = [];

  constructor(private readonly account: SimulatedAccount, private readonly baseUrl: () => string, private readonly webhookTimeoutMs: number) {}

  /** The call ended: finish its recording, if it had one, and report it. */
  async callEnded(call: SimulatedCall): Promise<void> {
    const target = call.recordingCallback;
    if (!target || call.status !== 'completed' || call.durationSeconds === null) return;
    const recording: SimulatedRecording = {
      sid: newSid('RE'), accountSid: call.accountSid, callSid: call.sid, durationSeconds: call.durationSeconds,
      wav: encodeWav({ samples: new Int16Array(call.durationSeconds * 8000), sampleRate: 8000 }), callbackStatus: null,
    };
    this.recordings.push(recording);
    if (!target.events.includes('completed')) return;
    const params = {
      AccountSid: call.accountSid, CallSid: call.sid, RecordingSid: recording.sid,
      RecordingUrl: `${this.baseUrl()}/${API_VERSION}/Accounts/${call.accountSid}/Recordings/${recording.sid}`,
      RecordingStatus: 'completed', RecordingDuration: String(recording.durationSeconds), RecordingChannels: '2',
      RecordingStartTime: rfc2822(call.startTime ?? new Date()), RecordingSource: 'StartCallRecordingTwiML', RecordingTrack: 'both',
    };
    try {
      recording.callbackStatus = (await postWebhook(signTwilioWebhook(this.account.tokenOf(call.accountSid), target.url, params, 'valid'), this.webhookTimeoutMs)).status;
    } catch {
      recording.callbackStatus = null;
    }
  }

  /** The WAV of `GET …/Recordings/{sid}.wav`; null for any other path, 404 for an unknown recording. */
  media(method: string, path: string): { status: number; bytes: Uint8Array } | null {
    const match = RECORDING_MEDIA.exec(path);
    if (!match || method !== 'GET') return null;
    const recording = this.recordings.find((r) => r.sid === match[2] && r.accountSid === match[1]);
    return recording ? { status: 200, bytes: recording.wav } : { status: 404, bytes: new Uint8Array() };
  }

  reset(): void {
    this.recordings.length = 0;
  }
}
