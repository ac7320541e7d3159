import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { conversationCalls } from '../calls/telephony-calls.js';
import { requirePort, type CorePorts } from '../context.js';
import { requireProviderNumbers } from '../messages/inbound/provider-numbers.js';
import { webhookAgent } from '../messages/inbound/store-inbound.js';
import { requireSignedFor, telephonySigner } from '../customers/webhook-account.js';
import type { Handoff } from './conversation-output.js';
import { conversationSettings, voiceTransport } from './conversation-settings.js';
import { requireSpeechPipeline } from './speech-pipeline.js';
import { requireRecording } from '../calls/call-recording.js';

/**
 * A verified voice webhook's adapter — the member of a failover list that signed it — and its calls. Conversation
 * webhooks need an adapter that can hold them.
 */
async function verifiedCalls(ports: CorePorts, agentId: string | null, request: WebhookRequest) {
  const telephony = await telephonySigner(ports, agentId, request);
  return { telephony, calls: conversationCalls(telephony) };
}

/**
 * A person calls an agent's number: log the call and answer with a live conversation on our voice
 * socket, greeted with the agent's greeting. `agentId` comes from a per-agent URL; null on the URL shared by every
 * agent, where the call goes to whoever owns the number called.
 */
export async function receiveIncomingCall(ports: CorePorts, agentId: string | null, request: WebhookRequest): Promise<WebhookReply> {
  const { telephony, calls } = await verifiedCalls(ports, agentId, request);
  requirePort(ports, 'brain');
  const incoming = calls.parseIncomingCall(request);
  requireProviderNumbers(ports, incoming, 'call');
  const agent = await webhookAgent(ports, agentId, 'sms', incoming.to);
  requireSignedFor(telephony, agent);
  requireSpeechPipeline(ports, voiceTransport(ports, agent));
  const record = agent.voice.record ?? false;
  if (record) requireRecording(ports);
  const now = ports.clock.now();
  // A redelivered webhook (even one racing the first) answers the same call again instead of logging a second one.
  const { call } = await ports.db.calls.insertOrFind({
    id: ports.ids.next('call'),
    agentId: agent.id,
    direction: 'inbound',
    from: incoming.from,
    to: incoming.to,
    status: 'ringing',
    history: [{ status: 'ringing', at: now.toISOString() }],
    provider: telephony.id,
    providerCallId: incoming.providerCallId,
    audioUrl: null,
    audioKey: null,
    startedAt: now,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    priceMicros: null,
    currency: null,
    errorCode: null,
    errorMessage: null,
    metadata: { kind: 'conversation', record },
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  return calls.answerWithConversation(conversationSettings(ports, agent, call));
}

/**
 * The conversation ended (our socket sent `end`, or the caller hung up): connect the caller to a human
 * when the agent asked for a transfer, otherwise hang up. Transfers are recorded in the call log.
 */
export async function receiveConversationEnd(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const { calls } = await verifiedCalls(ports, agentId, request);
  const ended = calls.parseConversationEnd(request);
  const call = await ports.db.calls.findByProviderId(agentId, ended.providerCallId);
  // Media streams carry no handoff data: the socket stored it on the call before closing.
  const stored = typeof call?.metadata.handoff === 'string' ? call.metadata.handoff : null;
  const handoff = parseHandoff(ended.handoffData ?? stored);
  if (!call || handoff?.reason !== 'transfer') return calls.answerWithHangup();
  const now = ports.clock.now();
  const transferred = {
    ...call,
    history: [...call.history, { status: 'transferred', at: now.toISOString() }],
    metadata: { ...call.metadata, transferredTo: handoff.to, transferredAt: now.toISOString() },
    updatedAt: now,
  };
  if (!(await ports.db.calls.update({ ...transferred, version: call.version + 1 }, call.version))) {
    ports.logger.warn({ callId: call.id }, 'transfer not recorded: the call log changed concurrently');
  }
  // Caller id: the agent's own number, which is the callee of an inbound call and the caller of an outbound one.
  return calls.answerWithTransfer(handoff.to, call.direction === 'inbound' ? call.to : call.from);
}

function parseHandoff(data: string | null): Handoff | null {
  if (!data) return null;
  try {
    const parsed = JSON.parse(data) as Partial<Handoff>;
    if (parsed.reason === 'transfer' && typeof (parsed as { to?: unknown }).to === 'string') return parsed as Handoff;
    if (parsed.reason === 'hangup') return { reason: 'hangup' };
  } catch {
    // not ours: treat as a plain hang-up
  }
  return null;
}
