import { randomUUID } from 'node:crypto';
import { encodeWav } from '../../../adapters/audio/wav.js';
import type { SimulatedVonageCall } from './vonage-voice-calls.js';

/** 16 kHz: the rate of the WebSocket audio Vonage recorded beside. */
const RECORDING_RATE = 16_000;
const FILES_PATH = /^\/v1\/files\/([0-9a-f-]{36})$/;

export interface SimulatedVonageRecording {
  /** The id in `recording_url` (not `recording_uuid`, as Vonage documents). */
  fileUuid: string;
  recordingUuid: string;
  callUuid: string;
  conversationUuid: string;
  durationSeconds: number;
  /** 16 kHz 16-bit WAV (silence) as long as the record action ran, in real seconds. */
  wav: Uint8Array;
  /** The record action's `eventUrl`, and what its receiver answered (null when none came). */
  eventUrl: string;
  callbackStatus: number | null;
  /** The receiver's answer to every copy of the event (several when it was delivered more than once). */
  callbackStatuses: Array<number | null>;
}

/** A record action that is running: where its event goes, and when it started. */
export interface RunningRecord {
  eventUrl: string;
  startedAt: Date;
}

/**
 * Calls recorded by an NCCO `record` action: when the call ends the file exists (`GET /v1/files/{id}`, the
 * application's JWT only) and the event (`recording_url`, `start_time`, `end_time`, `conversation_uuid`, no call
 * uuid) is posted to the action's `eventUrl`, signed like every Voice API webhook.
 */
export class VonageRecordings {
  readonly recordings: SimulatedVonageRecording[] = [];
  /** How many copies of the next recording event go out at once (Vonage delivers at least once, retries overlap). */
  private nextEventCopies = 1;

  constructor(
    private readonly baseUrl: () => string,
    private readonly post: (url: string, body: Record<string, unknown>) => Promise<number | null>,
  ) {}

  /** The next recording event is delivered `copies` times at once, the same event each time (a replay racing the first). */
  deliverNextEventTimes(copies: number): void {
    this.nextEventCopies = copies;
  }

  /** The call ended: the recording of its record action, if one ran, is finished and reported. */
  async callEnded(call: SimulatedVonageCall, now: Date): Promise<void> {
    const record = call.record;
    if (!record) return;
    call.record = null;
    // Real seconds, not the call's simulated ones: the audio beside a WebSocket leg flows in real time.
    const durationSeconds = Math.max(1, Math.round((now.getTime() - record.startedAt.getTime()) / 1000));
    const recording: SimulatedVonageRecording = {
      fileUuid: randomUUID(), recordingUuid: randomUUID(), callUuid: call.uuid, conversationUuid: call.conversationUuid, durationSeconds,
      wav: encodeWav({ samples: new Int16Array(durationSeconds * RECORDING_RATE), sampleRate: RECORDING_RATE }),
      eventUrl: record.eventUrl, callbackStatus: null, callbackStatuses: [],
    };
    this.recordings.push(recording);
    const start = new Date(now.getTime() - durationSeconds * 1000);
    const event = {
      start_time: start.toISOString(),
      recording_url: `${this.baseUrl()}/v1/files/${recording.fileUuid}`,
      size: recording.wav.length,
      recording_uuid: recording.recordingUuid,
      end_time: now.toISOString(),
      conversation_uuid: call.conversationUuid,
      timestamp: now.toISOString(),
    };
    const copies = this.nextEventCopies;
    this.nextEventCopies = 1;
    recording.callbackStatuses = await Promise.all(Array.from({ length: copies }, () => this.post(record.eventUrl, event)));
    recording.callbackStatus = recording.callbackStatuses[0] ?? null;
  }

  /** `GET /v1/files/{id}`: the WAV; null for any other path. The caller checked the JWT. */
  media(method: string, path: string): { status: number; bytes: Uint8Array } | null {
    const match = FILES_PATH.exec(path);
    if (!match || method !== 'GET') return null;
    const recording = this.recordings.find((r) => r.fileUuid === match[1]);
    return recording ? { status: 200, bytes: recording.wav } : { status: 404, bytes: new Uint8Array() };
  }

  reset(): void {
    this.recordings.length = 0;
    this.nextEventCopies = 1;
  }
}
