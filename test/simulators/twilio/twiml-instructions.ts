import type { CallInstructions } from '../../../contracts/telephony.js';
import { parseVoiceTwiml, TwimlParseError } from './twiml-voice-document.js';

/** Twilio's `interruptible` values that let the caller's speech cut the agent off (Twilio's default is "any"). */
const SPEECH_INTERRUPTS = new Set(['any', 'speech', 'true']);

/**
 * Reads voice TwiML the way Twilio would run it, into the contract's neutral instructions: the first verb decides
 * (`<Connect><ConversationRelay>`, `<Dial>`, `<Hangup>`, or an empty document, which ends the call).
 */
export function readTwimlInstructions(twiml: string): CallInstructions {
  let verbs;
  try {
    verbs = parseVoiceTwiml(twiml);
  } catch (err) {
    return { kind: 'other', description: `not TwiML: ${err instanceof TwimlParseError ? err.message : String(err)}` };
  }
  const [first] = verbs;
  if (!first || first.verb === 'Hangup') return { kind: 'hangup' };
  if (first.verb === 'Dial') return { kind: 'transfer', to: first.number, callerId: first.callerId };
  if (first.verb === 'Connect' && first.relay) {
    const { relay } = first;
    return {
      kind: 'conversation',
      relayUrl: relay.url,
      welcomeGreeting: relay.welcomeGreeting,
      voice: relay.voice,
      language: relay.language,
      interruptible: SPEECH_INTERRUPTS.has(relay.interruptible ?? 'any'),
      actionUrl: first.action,
      parameters: relay.parameters,
    };
  }
  return { kind: 'other', description: `<${verbs.map((verb) => (verb.verb === 'Unsupported' ? verb.name : verb.verb)).join('>, <')}>` };
}
