import type { AgentRecord, CallLogRecord } from '../../ports/records.js';
import { requirePort, type CorePorts } from '../context.js';
import { recordCallStatus } from '../calls/record-call-status.js';
import { callingFrom, newOutboundCall } from '../calls/place-call.js';
import { requireAgent } from '../messages/inbound/store-inbound.js';
import type { ConversationOutput } from './conversation-output.js';
import { conversationInstructions, conversationSettings } from './conversation-settings.js';
import { LiveConversation } from './live-conversation.js';

/** The provider name recorded on calls joined on this server, without a phone network in between. */
export const LOCAL_PROVIDER = 'local';
/** Turns (both sides together) after which a call between two agents is hung up: two brains may never stop. */
const DEFAULT_MAX_TURNS = 12;

interface Side {
  agent: AgentRecord;
  call: CallLogRecord;
  conversation: LiveConversation | null;
}

/**
 * An agent called another agent's number on this server: the two are joined here, each side a live
 * conversation with its own brain instructions and its own transcript. What one side says (a whole reply)
 * is what the other hears as the caller's turn. The call ends when either side hangs up (or is ended with
 * comms_end_call; a transfer ends it too), or after `maxTurns`.
 */
export async function joinAgents(
  ports: CorePorts, caller: Side, callee: Side, options: { firstSentence: string | null; maxTurns?: number },
): Promise<void> {
  const brain = requirePort(ports, 'brain');
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  let turns = 0;
  let ended = false;
  const started = ports.clock.now();

  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    const durationSeconds = Math.max(0, Math.round((ports.clock.now().getTime() - started.getTime()) / 1000));
    for (const side of [caller, callee]) {
      if (!side.conversation) continue;
      ports.liveCalls.remove(side.call.id, side.conversation);
      await side.conversation.close();
      const current = (await ports.db.calls.findById(side.call.id)) ?? side.call;
      await recordCallStatus(ports, current, { providerCallId: current.providerCallId ?? '', status: 'completed', durationSeconds, priceMicros: null, currency: null, occurredAt: null });
    }
  };

  /** What `from` says, whole replies only, reaches `to` as the caller's words (on a later tick: no recursion). */
  const outputTo = (to: () => Side): ConversationOutput => {
    let reply = '';
    return {
      text(token, last) {
        reply += token;
        if (!last) return;
        const said = reply.trim();
        reply = '';
        if (said === '' || ended) return;
        turns += 1;
        setTimeout(() => {
          if (ended) return;
          to().conversation?.prompt(said);
          // The last turn is heard; the answer it starts is cut by the hang-up and never stored.
          if (turns >= maxTurns) void end();
        }, 0);
      },
      end: () => void end(),
      sendDigits: () => undefined,
    };
  };

  for (const [side, other, greeting] of [[caller, () => callee, options.firstSentence], [callee, () => caller, null]] as const) {
    const answered = await recordCallStatus(ports, side.call, { providerCallId: side.call.providerCallId ?? '', status: 'in-progress', durationSeconds: null, priceMicros: null, currency: null, occurredAt: null });
    side.call = answered;
    const settings = conversationSettings(ports, side.agent, answered, greeting);
    side.conversation = new LiveConversation(ports, answered, side.agent, brain.port, conversationInstructions(ports, side.agent, answered), outputTo(other), settings);
    ports.liveCalls.add(answered.id, side.conversation);
  }
  // One opening, so the two never talk at once: the caller's first sentence when it has one (as it would be
  // spoken the moment the phone is picked up), else the callee's greeting, as a person answering would.
  if (options.firstSentence) caller.conversation?.greet(options.firstSentence);
  else callee.conversation?.greet(callee.conversation.settings.welcomeGreeting ?? 'Hello?');
}

/**
 * Places a call from `agent` to `calleeAgentId` (whose number `to` is) on this server: both call logs are
 * written (the caller's outbound, the callee's inbound, linked by `peerCallId`), and the conversation runs
 * in the background. Returns the caller's call.
 */
export async function callLocalAgent(
  ports: CorePorts, agent: AgentRecord, calleeAgentId: string, to: string, input: { purpose: string; firstSentence?: string },
): Promise<CallLogRecord> {
  const { from } = await callingFrom(ports, agent.id);
  const calleeAgent = await requireAgent(ports, calleeAgentId);
  const outboundId = ports.ids.next('call');
  const inboundId = ports.ids.next('call');
  const outbound = newOutboundCall(ports, {
    id: outboundId, agentId: agent.id, provider: LOCAL_PROVIDER, from, to,
    metadata: { kind: 'conversation', instructions: input.purpose, firstSentence: input.firstSentence ?? null, peerCallId: inboundId },
  });
  const ringing = { ...newOutboundCall(ports, { id: inboundId, agentId: calleeAgentId, provider: LOCAL_PROVIDER, from, to, metadata: { kind: 'conversation', peerCallId: outboundId } }) };
  const inbound: CallLogRecord = { ...ringing, direction: 'inbound', status: 'ringing', history: [{ status: 'ringing', at: ringing.createdAt.toISOString() }] };
  // Provider call ids name the other leg, so each side's status reports find their call.
  await ports.db.calls.insert({ ...outbound, providerCallId: `${LOCAL_PROVIDER}:${outboundId}` });
  await ports.db.calls.insert({ ...inbound, providerCallId: `${LOCAL_PROVIDER}:${inboundId}` });
  const stored = (await ports.db.calls.findById(outboundId)) ?? outbound;
  const callee = (await ports.db.calls.findById(inboundId)) ?? inbound;
  void joinAgents(ports, { agent, call: stored, conversation: null }, { agent: calleeAgent, call: callee, conversation: null }, { firstSentence: input.firstSentence ?? null })
    .catch((err: unknown) => ports.logger.error({ callId: outboundId, err }, 'agent-to-agent call failed'));
  return stored;
}
