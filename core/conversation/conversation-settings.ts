import type { ConversationSettings } from '../../ports/calls.js';
import type { AgentRecord, CallLogRecord, VoiceTransport } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { recordingSettings } from '../calls/call-recording.js';

/** Socket paths per transport: ConversationRelay's text protocol, or raw audio of a media stream. */
const SOCKET_PATH: Readonly<Record<VoiceTransport, string>> = { conversationrelay: 'relay', 'media-stream': 'media' };

/** The voice socket's URL for a call: the public address with a WebSocket scheme. */
export function relayUrl(ports: CorePorts, callId: string, transport: VoiceTransport = 'conversationrelay'): string {
  return `${ports.settings.publicBaseUrl.replace(/^http/, 'ws')}/voice/${SOCKET_PATH[transport]}/${encodeURIComponent(callId)}`;
}

/** How the agent's live calls carry speech: its own setting over the server's. */
export function voiceTransport(ports: CorePorts, agent: AgentRecord): VoiceTransport {
  return agent.voice.transport ?? ports.settings.voice.transport;
}

/** Agent settings over server defaults; `greeting` is the call's own first sentence when it has one. */
export function conversationSettings(ports: CorePorts, agent: AgentRecord, call: CallLogRecord, greeting?: string | null): ConversationSettings {
  const defaults = ports.settings.voice;
  const own = agent.voice;
  const transport = voiceTransport(ports, agent);
  const recording = recordingSettings(ports, call);
  return {
    transport,
    relayUrl: relayUrl(ports, call.id, transport),
    welcomeGreeting: greeting ?? own.greeting ?? defaults.greeting,
    voice: own.voice ?? defaults.voice,
    language: own.language ?? defaults.language,
    interruptible: own.interruptible ?? defaults.interruptible,
    actionUrl: `${ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(agent.id)}/voice/action`,
    parameters: { callId: call.id },
    ...(recording ? { recording } : {}),
  };
}

/** What the brain is told: the agent's instructions (or the server's), then this call's purpose. */
export function conversationInstructions(ports: CorePorts, agent: AgentRecord, call: CallLogRecord): string {
  const base = agent.voice.instructions ?? ports.settings.voice.instructions;
  const purpose = typeof call.metadata.instructions === 'string' ? call.metadata.instructions : null;
  const direction = call.direction === 'inbound' ? `${call.from} is calling you.` : `You called ${call.to}.`;
  return [base, direction, purpose ? `Purpose of this call: ${purpose}` : null].filter(Boolean).join('\n\n');
}
