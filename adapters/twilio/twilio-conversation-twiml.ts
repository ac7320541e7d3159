import twilio from 'twilio';
import type { ConversationSettings } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import { startRecording } from './twilio-recording.js';

function invalidSettings(problem: string, nextStep: string): DomainError {
  return new DomainError('INVALID_INPUT', `The conversation settings are invalid: ${problem}.`, nextStep, { provider: 'twilio' });
}

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  return URL.canParse(value) && protocols.includes(new URL(value).protocol);
}

/**
 * Checked here rather than left to Twilio: a bad URL in TwiML is only noticed once the call is answered, and the
 * caller then hears "an application error has occurred" instead of the agent.
 */
function checkSettings(settings: ConversationSettings): void {
  // Twilio itself only connects to wss://; ws:// is let through for local development and simulators.
  if (!hasProtocol(settings.relayUrl, ['wss:', 'ws:'])) {
    throw invalidSettings('the relay URL is not an absolute wss:// URL', 'Set publicBaseUrl to the public https:// address of this server.');
  }
  if (!hasProtocol(settings.actionUrl, ['https:', 'http:'])) {
    throw invalidSettings('the action URL is not an absolute http(s) URL', 'Set publicBaseUrl to the public https:// address of this server.');
  }
  if (Object.keys(settings.parameters ?? {}).some((name) => name.trim() === '')) {
    throw invalidSettings('a parameter has an empty name', 'Give every conversation parameter a name.');
  }
}

/**
 * `<Connect action><ConversationRelay …><Parameter/>…</ConversationRelay></Connect>`: Twilio opens our voice socket,
 * speaks the greeting, and requests `actionUrl` when the session ends (our `end` message, or the caller hanging up).
 */
export function conversationTwiml(settings: ConversationSettings): string {
  checkSettings(settings);
  if (settings.transport === 'media-stream') return mediaStreamTwiml(settings);
  const response = new twilio.twiml.VoiceResponse();
  startRecording(response, settings.recording);
  const relay = response.connect({ action: settings.actionUrl }).conversationRelay({
    url: settings.relayUrl,
    ...(settings.welcomeGreeting ? { welcomeGreeting: settings.welcomeGreeting } : {}),
    ...(settings.voice ? { voice: settings.voice } : {}),
    ...(settings.language ? { language: settings.language } : {}),
    // "speech" rather than "any": a key press is a DTMF message to the agent, not a barge-in.
    interruptible: settings.interruptible ? 'speech' : 'none',
    dtmfDetection: true,
  });
  for (const [name, value] of Object.entries(settings.parameters ?? {})) relay.parameter({ name, value });
  return response.toString();
}

/**
 * `<Connect action><Stream url><Parameter/>…</Stream></Connect>`: a bidirectional Media Stream. Twilio sends the
 * caller's audio (8 kHz μ-law) to our socket and plays what we send back; greeting, voice and language are applied
 * by our own pipeline. When our socket closes, Twilio requests `actionUrl`.
 */
function mediaStreamTwiml(settings: ConversationSettings): string {
  const response = new twilio.twiml.VoiceResponse();
  startRecording(response, settings.recording);
  const stream = response.connect({ action: settings.actionUrl }).stream({ url: settings.relayUrl });
  for (const [name, value] of Object.entries(settings.parameters ?? {})) stream.parameter({ name, value });
  return response.toString();
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** `<Dial callerId>`: bridges the caller to a person; the call ends when either side hangs up. */
export function transferTwiml(to: string, callerId: string): string {
  // A malformed number would only fail once Twilio runs the TwiML, with the caller already waiting.
  if (!E164.test(to)) {
    throw new DomainError('INVALID_INPUT', 'The transfer number is not in E.164 form.', 'Transfer to a number like +15550123 (+ country code, digits only).', { provider: 'twilio' });
  }
  if (!E164.test(callerId)) {
    throw new DomainError('INVALID_INPUT', 'The caller id of a transfer is not in E.164 form.', 'Use the agent\'s own Twilio number as caller id.', { provider: 'twilio' });
  }
  const response = new twilio.twiml.VoiceResponse();
  response.dial({ callerId }, to);
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
}
