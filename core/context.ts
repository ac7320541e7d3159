import type { CallbackSender } from '../ports/callbacks.js';
import type { Database } from '../ports/repositories.js';
import type { Clock, IdGenerator, Logger, Secrets } from '../ports/runtime.js';
import { DomainError } from '../ports/errors.js';
import type { TelephonyPort } from '../ports/telephony.js';

/** Who is calling: an agent acting as itself, or the operator acting for any agent. */
export type Caller = { kind: 'agent'; agentId: string } | { kind: 'admin' } | { kind: 'anonymous' };

/** Server settings core needs (not secrets, not adapter options). */
export interface CoreSettings {
  /** The address providers use to reach us, without trailing slash. */
  publicBaseUrl: string;
  /** Where inbound events go for agents without their own callback URL. */
  defaultCallbackUrl: string | null;
  /** Server-wide admin token; null disables admin access. */
  adminToken: string | null;
}

/** An adapter with the plugin id it was loaded as (recorded on messages as `provider`). */
export interface Provided<T> {
  id: string;
  port: T;
}

export interface CorePorts {
  clock: Clock;
  ids: IdGenerator;
  secrets: Secrets;
  logger: Logger;
  db: Database;
  /** null when no telephony provider is configured (the sms channel is off). */
  telephony: Provided<TelephonyPort> | null;
  callbackSender: CallbackSender;
  settings: CoreSettings;
  /** Asks the callback dispatcher to run soon (after an inbound event was stored). */
  notifyCallbacksPending(): void;
}

export interface UseCaseContext {
  caller: Caller;
  ports: CorePorts;
  requestId: string;
}

export function requireTelephony(ports: CorePorts): Provided<TelephonyPort> {
  if (!ports.telephony) {
    throw new DomainError('CHANNEL_NOT_CONFIGURED', 'No telephony provider is configured on this server.', 'Ask the operator to configure telephony (e.g. use: twilio).', { channel: 'sms' });
  }
  return ports.telephony;
}
