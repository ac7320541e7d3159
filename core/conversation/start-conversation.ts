import { DomainError } from '../../ports/errors.js';
import { requirePort, type CorePorts } from '../context.js';
import { recordCallStatus } from '../calls/record-call-status.js';
import { updateCall } from '../calls/update-call.js';
import { requireAgent } from '../messages/inbound/store-inbound.js';
import type { ConversationOutput } from './conversation-output.js';
import { conversationInstructions, conversationSettings } from './conversation-settings.js';
import { LiveConversation } from './live-conversation.js';

/**
 * The provider opened the voice socket of call `callId` (its setup message names `providerCallId`).
 * The socket is bound to that call only: a setup for another call is refused.
 */
export async function startConversation(
  ports: CorePorts, callId: string, providerCallId: string, output: ConversationOutput,
): Promise<LiveConversation> {
  const call = await ports.db.calls.findById(callId);
  if (!call) throw new DomainError('NOT_FOUND', `Call ${callId} does not exist.`, 'Connect the socket the call was answered with.', { callId });
  if (call.providerCallId !== null && call.providerCallId !== providerCallId) {
    throw new DomainError('FORBIDDEN', 'This voice socket belongs to another call.', 'Connect with the URL of this call.', { callId });
  }
  const brain = requirePort(ports, 'brain');
  const agent = await requireAgent(ports, call.agentId);
  // The provider opens the socket once the call is answered: that is news for an inbound call's log.
  const answered = await recordCallStatus(ports, call, {
    providerCallId, status: 'in-progress', durationSeconds: null, priceMicros: null, currency: null, occurredAt: null,
  });
  const firstSentence = typeof answered.metadata.firstSentence === 'string' ? answered.metadata.firstSentence : null;
  const settings = conversationSettings(ports, agent, answered, firstSentence);
  const conversation = new LiveConversation(ports, answered, agent, brain.port, conversationInstructions(ports, agent, answered), output, settings);
  ports.liveCalls.add(call.id, conversation);
  return conversation;
}

export async function endConversation(ports: CorePorts, conversation: LiveConversation): Promise<void> {
  ports.liveCalls.remove(conversation.call.id, conversation);
  await conversation.close();
}

/**
 * Keeps the handoff of a conversation whose transport has no `end` message (media streams): the socket is
 * closed after this, and the conversation-end webhook reads it from the call. Retried on write conflicts.
 */
export async function storeHandoff(ports: CorePorts, callId: string, handoffData: string): Promise<void> {
  await updateCall(ports, callId, (call) => ({ metadata: { ...call.metadata, handoff: handoffData } }));
}
