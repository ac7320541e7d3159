/** ConversationRelay messages from the provider, as far as the server acts on them. */
export type RelayMessage =
  | { type: 'setup'; callSid: string; customParameters: Record<string, string> }
  | { type: 'prompt'; voicePrompt: string; last: boolean }
  | { type: 'interrupt'; utteranceUntilInterrupt: string }
  | { type: 'dtmf'; digit: string }
  | { type: 'error'; description: string };

const str = (value: unknown): value is string => typeof value === 'string';

/** Parses one text frame; null for anything that is not a well-formed message of a known type. */
export function parseRelayMessage(text: string): RelayMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'setup':
      return str(m.callSid) ? { type: 'setup', callSid: m.callSid, customParameters: (m.customParameters as Record<string, string>) ?? {} } : null;
    case 'prompt':
      return str(m.voicePrompt) ? { type: 'prompt', voicePrompt: m.voicePrompt, last: m.last !== false } : null;
    case 'interrupt':
      return { type: 'interrupt', utteranceUntilInterrupt: str(m.utteranceUntilInterrupt) ? m.utteranceUntilInterrupt : '' };
    case 'dtmf':
      return str(m.digit) && /^[0-9*#A-D]$/.test(m.digit) ? { type: 'dtmf', digit: m.digit } : null;
    case 'error':
      return { type: 'error', description: str(m.description) ? m.description : '' };
    default:
      return null;
  }
}
