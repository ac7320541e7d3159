import { DomainError } from '../../../ports/errors.js';
import type { AgentRecord, CallbackDeliveryRecord, Channel, MessageRecord, MessageStatus } from '../../../ports/records.js';
import type { InsertOutcome, StatusChange } from '../../../ports/repositories.js';
import type { CorePorts } from '../../context.js';
import { toMessageView } from '../message-view.js';
import { isFailure, predecessorsOf } from '../status-transitions.js';
import { announce } from '../../agent-event.js';
import { actOnKeyword, keywordMetadata, keywordOf } from './opt-out-keywords.js';
import { sharedNumberAgent } from './shared-number-routing.js';
import { webhookAddressOwner, webhookAgentById } from '../../agents/agent-cache.js';

export interface InboundMessage {
  channel: Channel;
  provider: string;
  providerMessageId: string;
  from: string;
  to: string;
  body: string;
  metadata: Record<string, unknown>;
}

/** The agent a webhook's URL names (read through the webhook cache: every webhook asks, often twice). */
export async function requireAgent(ports: CorePorts, agentId: string): Promise<AgentRecord> {
  const agent = await webhookAgentById(ports, agentId);
  if (!agent) throw new DomainError('NOT_FOUND', `Agent ${agentId} does not exist.`, 'Point the provider\'s webhook at an existing agent.', { agentId });
  return agent;
}

/**
 * The agent a webhook is for: the one its per-agent URL names, or — `agentId` null, on a URL shared by every agent
 * — the owner of `address` (the number or mailbox the event was sent to) on `channel`, or, for a shared number,
 * the agent `contact` last talked with there (see shared-number-routing.ts).
 */
export async function webhookAgent(ports: CorePorts, agentId: string | null, channel: Channel, address: string, contact?: string): Promise<AgentRecord> {
  if (agentId !== null) {
    const agent = await requireAgent(ports, agentId);
    await requireAddressedTo(ports, agent, channel, [address]);
    return agent;
  }
  const owner = await webhookAddressOwner(ports, channel, address);
  // Not one agent's own number: perhaps a number several agents share (routed by the contact's last conversation).
  const sharing = !owner && contact !== undefined ? await sharedNumberAgent(ports, channel, address, contact) : null;
  if (sharing) return sharing;
  if (!owner) {
    throw new DomainError('NOT_FOUND', `No agent has this ${channel} address.`, 'Give an agent the address the provider sends to, or point the provider elsewhere.', { channel });
  }
  return requireAgent(ports, owner.agentId);
}

/**
 * FORBIDDEN unless `agent` owns one of `addresses` (the recipients of an inbound event) on `channel`. Some signatures
 * do not cover the URL (Svix, Vonage's JWT and `sig`): a webhook captured on one agent's URL verifies on another's,
 * so the recipient, not the URL, says whose it is. Nothing is stored for an agent the event was not sent to.
 */
export async function requireAddressedTo(ports: CorePorts, agent: AgentRecord, channel: Channel, addresses: readonly string[]): Promise<void> {
  for (const address of addresses) {
    const owner = await webhookAddressOwner(ports, channel, channel === 'email' ? address.toLowerCase() : address);
    if (owner?.agentId === agent.id) return;
  }
  throw new DomainError(
    'FORBIDDEN',
    `This ${channel} event was not sent to an address of the agent its URL names.`,
    'Point each agent\'s provider webhook at its own URL; an event re-sent to another agent\'s URL is refused.',
    { channel, agentId: agent.id },
  );
}

/**
 * Stores a message that arrived for `agent` and, in the same transaction, its forward to the agent's
 * callback URL: a failing agent endpoint can never lose the message, and a provider's redelivery of
 * the same message is stored (and forwarded) once.
 */
export async function storeInbound(ports: CorePorts, agent: AgentRecord, inbound: InboundMessage): Promise<MessageRecord> {
  return (await storeInboundOnce(ports, agent, inbound)).message;
}

/** As `storeInbound`, telling a first delivery (`inserted`) from a provider's redelivery. */
export async function storeInboundOnce(ports: CorePorts, agent: AgentRecord, inbound: InboundMessage): Promise<InsertOutcome> {
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
  if (outcome.inserted) ports.metrics.message(message.channel, 'inbound', message.status);
  if (outcome.inserted && delivery) ports.notifyCallbacksPending();
  if (outcome.inserted) announce(ports, agent.id, 'message.received', message.id);
  return outcome;
}

/** A provider's delivery report, with our message id when the provider echoes it. */
export interface DeliveryReport {
  providerMessageId: string;
  status: MessageStatus;
  errorCode: string | null;
  reference?: string | null;
}

/**
 * The message a delivery report is about: the agent's message with that provider id, else the one the echoed
 * reference names (a later part of a long SMS has its own provider id; a URL shared by every agent names no agent).
 */
async function reportedMessage(ports: CorePorts, agentId: string | null, channel: Channel, update: DeliveryReport): Promise<MessageRecord | null> {
  const byProviderId = agentId === null ? null : await ports.db.messages.findByProviderId(agentId, channel, update.providerMessageId);
  if (byProviderId || !update.reference) return byProviderId;
  const byReference = await ports.db.messages.findById(update.reference);
  const matches = byReference !== null && byReference.channel === channel && byReference.direction === 'outbound'
    && (agentId === null || byReference.agentId === agentId);
  return matches ? byReference : null;
}

/**
 * Applies a provider's delivery report to the message it is about, forward moves only; returns that message (null
 * when the report places none). `agentId` is null on a URL shared by every agent: then only the echoed reference can
 * place it.
 */
export async function applyDeliveryStatus(
  ports: CorePorts, agentId: string | null, channel: Channel, update: DeliveryReport,
  /** Refuses (throws) a report its signer may not make for the message's agent, before anything is applied. */
  requireReporter?: (agent: AgentRecord) => void,
): Promise<MessageRecord | null> {
  const message = await reportedMessage(ports, agentId, channel, update);
  if (!message) {
    // Acknowledge anyway: a non-2xx answer would only make the provider retry a report we cannot place.
    ports.logger.warn({ agentId, channel, providerMessageId: update.providerMessageId }, 'status report for an unknown message');
    return null;
  }
  // On a per-agent URL the signer was chosen by that agent already; the shared URL learns the agent only here.
  if (requireReporter && agentId === null) requireReporter(await requireAgent(ports, message.agentId));
  const applied = await recordReportedStatus(ports, message, { status: update.status, errorCode: update.errorCode, updatedAt: ports.clock.now() });
  if (applied) ports.metrics.message(message.channel, message.direction, update.status);
  return message;
}

/**
 * Where a provider's report moves a message (forward moves only), and where a delivery failure is announced
 * to the agent's waiting sessions, once: a repeated or late report applies nothing.
 */
async function recordReportedStatus(ports: CorePorts, message: Pick<MessageRecord, 'id'> & { agentId?: string }, change: StatusChange): Promise<boolean> {
  const applied = await ports.db.messages.changeStatus(message.id, change, predecessorsOf(change.status));
  if (applied && isFailure(change.status)) {
    const agentId = message.agentId ?? (await ports.db.messages.findById(message.id))?.agentId;
    if (agentId) announce(ports, agentId, 'message.failed', message.id);
  }
  return applied;
}

/** Status pushed by an adapter (demo mode, socket-based providers) for our message `reference`. */
export async function applyPushedStatus(
  ports: CorePorts,
  event: { reference: string; providerMessageId: string; status: MessageStatus; errorCode: string | null },
): Promise<void> {
  await recordReportedStatus(
    ports,
    { id: event.reference },
    { status: event.status, errorCode: event.errorCode, providerMessageId: event.providerMessageId, updatedAt: ports.clock.now() },
  );
}

export function invalidSignature(): DomainError {
  return new DomainError(
    'INVALID_SIGNATURE',
    'The webhook signature is missing, stale or does not match.',
    'Check that the provider\'s signing secret matches the server config and that publicBaseUrl is the URL the provider calls.',
  );
}

/**
 * An inbound text (SMS, WhatsApp): stored and forwarded like any message, marked when it is an opt-out
 * keyword (`metadata.optOut: true`, …), which is then acted on once, on its first delivery.
 */
export async function storeInboundText(ports: CorePorts, agent: AgentRecord, inbound: InboundMessage): Promise<void> {
  const keyword = keywordOf(ports, inbound.body);
  const outcome = await storeInboundOnce(ports, agent, { ...inbound, metadata: { ...inbound.metadata, ...keywordMetadata(keyword) } });
  if (keyword && outcome.inserted) await actOnKeyword(ports, agent, outcome.message, keyword);
}
