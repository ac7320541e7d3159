import { pcm16FromLittleEndian } from '../../../adapters/audio/pcm16.js';
import { SimulatedCallerLine } from '../shared/simulated-caller-line.js';

/** 20 ms of 16-bit linear PCM at 16 kHz: the frame Vonage sends and expects on `audio/l16;rate=16000`. */
export const VONAGE_FRAME_BYTES = 640;
export const VONAGE_CONTENT_TYPE = 'audio/l16;rate=16000';

export interface VonageSocketOptions {
  uuid: string;
  /** The `uri` of the NCCO's websocket endpoint, as given (with our server's token). */
  uri: string;
  contentType: string;
  /** The endpoint's `headers`: sent in the first message. */
  headers: Record<string, string>;
  connectTimeoutMs: number;
}

/**
 * One WebSocket leg of a Vonage call (NCCO `connect` to a `websocket` endpoint), the simulator playing Vonage and the
 * caller: it opens our socket, sends `websocket:connected` with the NCCO's headers, then the caller's audio as
 * binary 640-byte frames of 16 kHz L16 in real time (silence between utterances). What our server sends is checked
 * (binary frames of exactly 20 ms, never ahead of real time; `notify` and `clear` the only commands), played back at
 * real time (a `notify` is answered with `websocket:notify` once the audio before it played; `clear` drops what is
 * buffered, queued notifications with it, and is acknowledged with `websocket:cleared`), and kept (the line, shared
 * with Twilio's media stream).
 */
export class SimulatedVonageSocket extends SimulatedCallerLine<unknown> {
  readonly callSid: string;
  readonly sessionId: string;
  readonly uri: string;
  readonly headers: Record<string, string>;
  readonly notifiesSent: unknown[] = [];
  readonly notifiesEchoed: unknown[] = [];

  constructor(private readonly options: VonageSocketOptions) {
    super({ name: '16 kHz L16', frameBytes: VONAGE_FRAME_BYTES, silence: 0, samples: pcm16FromLittleEndian });
    this.callSid = options.uuid;
    this.sessionId = options.uuid;
    this.uri = options.uri;
    this.headers = { ...options.headers };
  }

  /** The caller presses a key: Vonage reports it on the socket. */
  dtmf(digit: string): void {
    this.requireOpen('dtmf');
    this.sendText({ event: 'websocket:dtmf', digit, duration: 260 });
  }

  /** The caller hangs up: Vonage closes the socket and the call completes (the rest of the NCCO does not run). */
  async hangUp(): Promise<void> {
    if (!this.ended.settled) {
      this.finishSession({ by: 'caller' });
      this.closeSocket();
    }
    await this.finished.promise;
  }

  async connect(): Promise<void> {
    const socket = await this.open(this.uri, { 'user-agent': 'Vonage-Voice-Simulator' }, this.options.connectTimeoutMs);
    if (!socket) return;
    this.opened();
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('close', (code, reason) => {
      this.state = 'closed';
      this.closeCode = code;
      this.stopClock();
      this.finishSession(code === 1000 ? { by: 'agent', handoffData: null } : { by: 'socket-closed', code, reason: reason.toString() });
    });
    socket.on('error', () => undefined);
    this.sendText({ event: 'websocket:connected', 'content-type': this.options.contentType, ...this.headers });
    this.startClock();
    this.ready.resolve();
  }

  /** What the `notify` after the socket asked for: a transfer to a number, or the end of the call. */
  recordNext(ncco: unknown[] | null): void {
    const connect = ncco?.find((a) => (a as { action?: unknown }).action === 'connect') as { from?: string; endpoint?: Array<{ type?: string; number?: string }> } | undefined;
    const phone = connect?.endpoint?.find((e) => e.type === 'phone');
    if (phone?.number) this.dialed = { number: `+${phone.number}`, callerId: connect?.from ? `+${connect.from}` : null };
    this.hungUp = ncco !== null && !phone;
  }

  protected sendCallerFrame(frame: Uint8Array): void {
    if (this.socket?.readyState === this.socket?.OPEN) this.socket?.send(frame, { binary: true });
  }

  protected echo(payload: unknown): void {
    this.notifiesEchoed.push(payload);
    this.sendText({ event: 'websocket:notify', payload });
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.receiveFrame(new Uint8Array(data));
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    } catch {
      this.invalid.push(`text that is not JSON: ${data.toString('utf8').slice(0, 80)}`);
      return;
    }
    switch (message.action) {
      case 'notify':
        this.notifiesSent.push(message.payload);
        this.receiveMarker(message.payload);
        return;
      case 'clear':
        // Vonage drops the queued notifications with the audio.
        this.dropPlayback();
        this.sendText({ event: 'websocket:cleared' });
        return;
      default:
        this.invalid.push(`unknown command ${JSON.stringify(message).slice(0, 80)}`);
    }
  }

  private sendText(message: Record<string, unknown>): void {
    if (this.socket?.readyState === this.socket?.OPEN) this.socket?.send(JSON.stringify(message));
  }
}
