import { DomainError } from '../../../ports/errors.js';
import type { AgentRecord, CallbackDeliveryRecord, Channel, MessageRecord, MessageStatus } from '../../../ports/records.js';
import type { CorePorts } from '../../context.js';
import { toMessageView } from '../message-view.js';
import { predecessorsOf } from '../status-transitions.js';

export interface InboundMessage {
  channel: Channel;
  provider: string;
  providerMessageId: string;
  from: string;
  to: string;
  body: string;
  metadata: Record<string, unknown>;
}

export async function requireAgent(ports: CorePorts, agentId: string): Promise<AgentRecord> {
  const agent = await ports.db.agents.findById(agentId);
  if (!agent) throw new DomainError('NOT_FOUND', `Agent ${agentId} does not exist.`, 'Point the provider\'s webhook at an existing agent.', { agentId });
  return agent;
}

/**
 * Stores a message that arrived for `agent` and, in the same transaction, its forward to the agent's
 * callback URL: a failing agent endpoint can never lose the message, and a provider's redelivery of
 * the same message is stored (and forwarded) once.
 */
export async function storeInbound(ports: CorePorts, agent: AgentRecord, inbound: InboundMessage): Promise<MessageRecord> {
  const now = ports.clock.now();
  const message: MessageRecord = {
    id: ports.ids.next('msg'),
    agentId: agent.id,
    direction: 'inbound',
    status: 'received',
    idempotencyKey: null,
    requestHash: null,
    errorCode: null,
    errorMessage: null,
    createdAt: now,
    updatedAt: now,
    ...inbound,
  };
  const callbackUrl = agent.callbackUrl ?? ports.settings.defaultCallbackUrl;
  const delivery: CallbackDeliveryRecord | null = callbackUrl
    ? {
        id: ports.ids.next('evt'),
        agentId: agent.id,
        messageId: message.id,
        url: callbackUrl,
        payload: JSON.stringify({ type: 'message.received', agentId: agent.id, data: toMessageView(message) }),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      }
    : null;
  const outcome = await ports.db.messages.insertInbound(message, delivery);
  if (outcome.inserted && delivery) ports.notifyCallbacksPending();
  return outcome.message;
}

/** Applies a provider's delivery report to the agent's message with that provider id, forward moves only. */
export async function applyDeliveryStatus(
  ports: CorePorts, agentId: string, channel: Channel, update: { providerMessageId: string; status: MessageStatus; errorCode: string | null },
): Promise<void> {
  const message = await ports.db.messages.findByProviderId(agentId, channel, update.providerMessageId);
  if (!message) {
    // Acknowledge anyway: a non-2xx answer would only make the provider retry a report we cannot place.
    ports.logger.warn({ agentId, channel, providerMessageId: update.providerMessageId }, 'status report for an unknown message');
    return;
  }
  await ports.db.messages.changeStatus(
    message.id,
    { status: update.status, errorCode: update.errorCode, updatedAt: ports.clock.now() },
    predecessorsOf(update.status),
  );
}

/** Status pushed by an adapter (demo mode, socket-based providers) for our message `reference`. */
export async function applyPushedStatus(
  ports: CorePorts,
  event: { reference: string; providerMessageId: string; status: MessageStatus; errorCode: string | null },
): Promise<void> {
  await ports.db.messages.changeStatus(
    event.reference,
    { status: event.status, errorCode: event.errorCode, providerMessageId: event.providerMessageId, updatedAt: ports.clock.now() },
    predecessorsOf(event.status),
  );
}

export function invalidSignature(): DomainError {
  return new DomainError(
    'INVALID_SIGNATURE',
    'The webhook signature is missing, stale or does not match.',
    'Check that the provider\'s signing secret matches the server config and that publicBaseUrl is the URL the provider calls.',
  );
}
