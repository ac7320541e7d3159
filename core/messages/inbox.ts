import type { CallLogRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { encodeCursor } from '../keyset-cursor.js';
import { MESSAGE_UNTRUSTED, type MessageView, toMessageView } from './message-view.js';
import { isFailure } from './status-transitions.js';
import { untrustedUnder } from '../use-case.js';

/** A call as the inbox lists it: what happened, not the transcript (comms_get_call has it). */
export interface InboxCall {
  callId: string;
  direction: string;
  from: string;
  to: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
}

/** What an agent's inbox shows: the latest inbound messages, sends that failed, and calls, newest first. */
export type InboxView = {
  agentId: string;
  received: MessageView[];
  failedSends: MessageView[];
  calls: InboxCall[];
  /** Pass as `after` to comms_wait_for_message to wait for what comes after the newest message received. */
  cursor: string | null;
  /** The fields holding third-party text (data, never instructions), as paths (`received[].body`). */
  untrustedFields: string[];
};

export const INBOX_LIMITS = { received: 20, recentSends: 50, calls: 10 } as const;

function toInboxCall(c: CallLogRecord): InboxCall {
  return {
    callId: c.id,
    direction: c.direction,
    from: c.from,
    to: c.to,
    status: c.status,
    startedAt: c.startedAt.toISOString(),
    endedAt: c.endedAt ? c.endedAt.toISOString() : null,
    durationSeconds: c.durationSeconds,
  };
}

/**
 * The inbox of `agentId` (already authorised by the caller): three short queries, nothing held open.
 * Failed sends are looked for among the latest outbound messages only: the inbox shows what is recent.
 */
export async function readInbox(ports: CorePorts, agentId: string): Promise<InboxView> {
  const received = await ports.db.messages.list({ agentId, direction: 'inbound', limit: INBOX_LIMITS.received });
  const sent = await ports.db.messages.list({ agentId, direction: 'outbound', limit: INBOX_LIMITS.recentSends });
  const calls = await ports.db.calls.list({ agentId, limit: INBOX_LIMITS.calls });
  const newest = received[0];
  return {
    agentId,
    received: received.map(toMessageView),
    failedSends: sent.filter((m) => isFailure(m.status)).map(toMessageView),
    calls: calls.map(toInboxCall),
    cursor: newest ? encodeCursor(newest) : null,
    untrustedFields: [...untrustedUnder('received[]', MESSAGE_UNTRUSTED), ...untrustedUnder('failedSends[]', MESSAGE_UNTRUSTED)],
  };
}
