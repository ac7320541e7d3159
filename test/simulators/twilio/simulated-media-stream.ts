import { decodeMulaw, MULAW_SILENCE } from '../../../adapters/audio/mulaw.js';
import { LINE_FRAME_MS, SimulatedCallerLine } from '../shared/simulated-caller-line.js';
import { relayUpgradeHeaders } from './relay-socket.js';
import type { StreamNoun } from './twiml-voice-document.js';
import type { SignatureMode } from './twilio-webhook-signing.js';

const FRAME_BYTES = 160;

export interface MediaStreamOptions {
  callSid: string;
  accountSid: string;
  streamSid: string;
  stream: StreamNoun;
  actionUrl: string | null;
  authToken: string;
  signature: SignatureMode;
  connectTimeoutMs: number;
}

/**
 * One bidirectional Media Stream (`<Connect><Stream>`), with the simulator playing Twilio and the caller: it
 * opens our socket (signed), sends `connected` and `start`, then the caller's audio as 20 ms μ-law frames in
 * real time (silence between utterances, like a real line). What our server sends is checked frame by frame
 * (and for pacing), played back at real time (marks are echoed when reached, `clear` drops what is buffered and
 * echoes the pending marks, as Twilio does), and kept (the line, shared with Vonage's socket).
 */
export class SimulatedMediaStream extends SimulatedCallerLine<string> {
  readonly callSid: string;
  readonly streamSid: string;
  readonly sessionId: string;
  readonly url: string;
  readonly actionUrl: string | null;
  readonly parameters: Record<string, string>;
  readonly upgradeHeaders: Record<string, string>;
  /** Marks our server sent, and the ones echoed back (in order). */
  readonly marksSent: string[] = [];
  readonly marksEchoed: string[] = [];

  private sequence = 0;

  constructor(private readonly options: MediaStreamOptions) {
    super({ name: '8 kHz μ-law', frameBytes: FRAME_BYTES, silence: MULAW_SILENCE, samples: decodeMulaw });
    this.callSid = options.callSid;
    this.streamSid = options.streamSid;
    this.sessionId = options.streamSid;
    this.url = options.stream.url;
    this.actionUrl = options.actionUrl;
    this.parameters = { ...options.stream.parameters };
    this.upgradeHeaders = relayUpgradeHeaders(options.authToken, options.stream.url, options.signature);
  }

  /** The caller presses a key. */
  dtmf(digit: string): void {
    this.requireOpen('dtmf');
    this.send({ event: 'dtmf', streamSid: this.streamSid, sequenceNumber: String(++this.sequence), dtmf: { track: 'inbound_track', digit } });
  }

  /** The caller hangs up: `stop`, the socket closes, Twilio requests the action URL, the call completes. */
  async hangUp(): Promise<void> {
    if (!this.ended.settled) {
      this.send({ event: 'stop', sequenceNumber: String(++this.sequence), streamSid: this.streamSid, stop: { accountSid: this.options.accountSid, callSid: this.callSid } });
      this.finishSession({ by: 'caller' });
    }
    await this.finished.promise;
  }

  async connect(): Promise<void> {
    const socket = await this.open(this.url, this.upgradeHeaders, this.options.connectTimeoutMs);
    if (!socket) return;
    this.opened();
    socket.on('message', (data, isBinary) => this.receive(isBinary ? '' : data.toString()));
    socket.on('close', (code, reason) => {
      this.state = 'closed';
      this.closeCode = code;
      this.stopClock();
      // A normal close from our server ends the stream as the application meant to (Twilio goes on to the action).
      this.finishSession(code === 1000 ? { by: 'agent', handoffData: null } : { by: 'socket-closed', code, reason: reason.toString() });
    });
    socket.on('error', () => undefined);
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: String(++this.sequence),
      start: {
        accountSid: this.options.accountSid, streamSid: this.streamSid, callSid: this.callSid, tracks: ['inbound'],
        customParameters: this.parameters, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
      streamSid: this.streamSid,
    });
    this.startClock();
    this.ready.resolve();
  }

  protected sendCallerFrame(frame: Uint8Array, n: number): void {
    this.send({
      event: 'media', sequenceNumber: String(++this.sequence), streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(n + 1), timestamp: String(n * LINE_FRAME_MS), payload: Buffer.from(frame).toString('base64') },
    });
  }

  protected echo(name: string): void {
    this.marksEchoed.push(name);
    this.send({ event: 'mark', sequenceNumber: String(++this.sequence), streamSid: this.streamSid, mark: { name } });
  }

  private receive(raw: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      this.invalid.push(`not JSON: ${raw.slice(0, 80)}`);
      return;
    }
    if (message.streamSid !== this.streamSid) this.invalid.push(`${String(message.event)} with streamSid ${String(message.streamSid)}`);
    switch (message.event) {
      case 'media': {
        const payload = (message.media as { payload?: unknown } | undefined)?.payload;
        const bytes = typeof payload === 'string' ? Buffer.from(payload, 'base64') : Buffer.alloc(0);
        if (typeof payload !== 'string' || bytes.toString('base64') !== payload) return void this.invalid.push('media payload is not base64');
        this.receiveFrame(new Uint8Array(bytes));
        return;
      }
      case 'mark': {
        const name = (message.mark as { name?: unknown } | undefined)?.name;
        if (typeof name !== 'string') return void this.invalid.push('mark without a name');
        this.marksSent.push(name);
        this.receiveMarker(name);
        return;
      }
      case 'clear':
        for (const name of this.dropPlayback()) this.echo(name);
        return;
      default:
        this.invalid.push(`unknown event ${String(message.event)}`);
    }
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === this.socket?.OPEN) this.socket?.send(JSON.stringify(message));
  }
}
