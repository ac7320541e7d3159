/**
 * Live-call control across the servers of one PostgreSQL database. A request is a NOTIFY on the schema's
 * `calls` channel; the process holding the call's socket acts and answers with a NOTIFY of the request id.
 * A transfer's payload carries the number to connect: it only travels to sessions of this database (which
 * holds the number anyway) and is never logged.
 */
import { randomUUID } from 'node:crypto';
import type { CallControl, CallControlAction, CallControlHandler } from '../../ports/call-control.js';
import type { Logger } from '../../ports/runtime.js';
import { channelName, type PgNotifyBus } from './pg-notify-bus.js';

interface Request { type: 'request'; requestId: string; callId: string; action: CallControlAction }
interface Done { type: 'done'; requestId: string }

export class PgCallControl implements CallControl {
  readonly channel: string;
  private handler: CallControlHandler = () => false;
  private readonly pending = new Map<string, () => void>();

  /** `timeoutMs`: how long a request waits for the holder's answer before it counts as held nowhere. */
  constructor(private readonly bus: PgNotifyBus, schema: string | undefined, private readonly logger: Logger, private readonly timeoutMs = 2000) {
    this.channel = channelName('calls', schema);
    bus.on(this.channel, (payload) => this.received(payload));
  }

  serve(handler: CallControlHandler): void {
    this.handler = handler;
  }

  forward(callId: string, action: CallControlAction): Promise<boolean> {
    if (!this.bus.listening) return Promise.resolve(false);
    const requestId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve(false);
      }, this.timeoutMs);
      this.pending.set(requestId, () => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(true);
      });
      this.bus.notify(this.channel, JSON.stringify({ type: 'request', requestId, callId, action } satisfies Request));
    });
  }

  private received(payload: string): void {
    const message = parse(payload);
    if (!message) {
      this.logger.warn({ channel: this.channel }, 'ignored a malformed call control notification');
      return;
    }
    if (message.type === 'done') {
      this.pending.get(message.requestId)?.();
      return;
    }
    if (!this.handler(message.callId, message.action)) return;
    this.logger.info({ callId: message.callId, action: message.action.kind }, 'acted on a live call for another server');
    this.bus.notify(this.channel, JSON.stringify({ type: 'done', requestId: message.requestId } satisfies Done));
  }
}

function parse(payload: string): Request | Done | null {
  try {
    const value = JSON.parse(payload) as Record<string, unknown>;
    if (typeof value.requestId !== 'string') return null;
    if (value.type === 'done') return { type: 'done', requestId: value.requestId };
    const action = value.action as Record<string, unknown> | undefined;
    if (value.type !== 'request' || typeof value.callId !== 'string' || !action) return null;
    if (action.kind === 'hang-up') return { type: 'request', requestId: value.requestId, callId: value.callId, action: { kind: 'hang-up' } };
    if (action.kind === 'transfer' && typeof action.to === 'string') {
      return { type: 'request', requestId: value.requestId, callId: value.callId, action: { kind: 'transfer', to: action.to } };
    }
    return null;
  } catch {
    return null;
  }
}
