import { SimulatedVonageSocket, VONAGE_CONTENT_TYPE } from './simulated-vonage-socket.js';
import type { SimulatedVonageCall } from './vonage-voice-calls.js';

/**
 * The WebSocket legs the simulated Vonage opened (NCCO `connect` to a `websocket` endpoint), for tests to play the
 * caller on: each is found by its call's uuid once Vonage has connected it.
 */
export class VonageSocketLegs {
  readonly all: SimulatedVonageSocket[] = [];
  private readonly byCall = new Map<string, SimulatedVonageSocket>();
  private readonly waiters = new Map<string, Array<(leg: SimulatedVonageSocket) => void>>();

  constructor(private readonly connectTimeoutMs: number) {}

  /** Opens the leg and holds it until it ends: the caller hangs up, our server closes it, or the call is hung up. */
  async connect(call: SimulatedVonageCall, endpoint: Record<string, unknown>): Promise<SimulatedVonageSocket> {
    const headers = Object.fromEntries(Object.entries((endpoint.headers ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const leg = new SimulatedVonageSocket({
      uuid: call.uuid, uri: String(endpoint.uri), contentType: typeof endpoint['content-type'] === 'string' ? endpoint['content-type'] : VONAGE_CONTENT_TYPE,
      headers, connectTimeoutMs: this.connectTimeoutMs,
    });
    this.all.push(leg);
    this.byCall.set(call.uuid, leg);
    void call.hangUp.promise.then(() => leg.endByProvider());
    await leg.connect();
    for (const resolve of this.waiters.get(call.uuid)?.splice(0) ?? []) resolve(leg);
    await leg.outcome;
    return leg;
  }

  /** The leg of a call, once connected (its first message sent). */
  waitFor(uuid: string, timeoutMs = 10_000): Promise<SimulatedVonageSocket> {
    const known = this.byCall.get(uuid);
    if (known) return known.whenReady().then(() => known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Vonage connected no socket for call ${uuid} within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(uuid) ?? [];
      list.push((leg) => {
        clearTimeout(timer);
        resolve(leg);
      });
      this.waiters.set(uuid, list);
    });
  }

  of(uuid: string): SimulatedVonageSocket | undefined {
    return this.byCall.get(uuid);
  }

  /** The call is over: its leg's waiters are released. */
  finished(uuid: string): void {
    this.byCall.get(uuid)?.markFinished();
  }

  reset(): void {
    for (const leg of this.all) leg.endByProvider();
    this.all.length = 0;
    this.byCall.clear();
  }
}
