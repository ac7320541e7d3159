import { DomainError } from '../../ports/errors.js';
import { toMsisdn } from './vonage-numbers.js';

/**
 * Vonage Call Control Objects: the instructions a call runs. Kept apart from the adapter so that live
 * conversations (a `connect` to a WebSocket endpoint) can be added beside `stream` and the transfer.
 */
export type NccoAction =
  | { action: 'stream'; streamUrl: string[]; loop: number }
  | { action: 'connect'; from: string; endpoint: Array<{ type: 'phone'; number: string }> }
  | { action: 'connect'; endpoint: WebsocketEndpoint[] }
  | { action: 'notify'; payload: Record<string, string>; eventUrl: string[]; eventMethod: 'POST' }
  | { action: 'talk'; text: string; language?: string }
  | { action: 'record'; eventUrl: string[]; eventMethod: 'POST'; format: 'wav'; split: 'conversation'; channels: number }
  | { action: 'conversation'; name: string };

/** A WebSocket leg carrying the call's audio both ways as 16-bit linear PCM. */
export interface WebsocketEndpoint {
  type: 'websocket';
  uri: string;
  'content-type': 'audio/l16;rate=16000';
  /** Sent to the socket in its first message (`websocket:connected`). */
  headers: Record<string, string>;
}

export type Ncco = NccoAction[];

function invalid(message: string, nextStep: string): DomainError {
  return new DomainError('INVALID_INPUT', message, nextStep, { provider: 'vonage' });
}

/**
 * Plays the audio files in order, the whole list `loop` times: one `stream` action with Vonage's own `loop` for a
 * single file, the list repeated otherwise. The call ends when the NCCO runs out.
 */
export function playNcco(audioUrls: readonly string[], loop: number): Ncco {
  if (audioUrls.length === 0) throw invalid('A voice message needs at least one audio file to play.', 'Give the URL of the audio to play.');
  if (!Number.isInteger(loop) || loop < 1) throw invalid(`Playing the audio ${loop} times is not possible.`, 'Play it at least once (a whole number of times).');
  if (audioUrls.length === 1) return [{ action: 'stream', streamUrl: [audioUrls[0]!], loop }];
  return Array.from({ length: loop }, () => audioUrls.map((url): NccoAction => ({ action: 'stream', streamUrl: [url], loop: 1 }))).flat();
}

/**
 * A live conversation: the call's audio goes to our socket (`socketUrl`, signed) until it closes, then `notify`
 * asks `actionUrl` what next (transfer or hang-up), whose answer NCCO replaces the rest — Vonage's counterpart
 * of Twilio's `<Connect action>`. `before` runs first (a recorded call's announcement and record action).
 */
export function conversationNcco(socketUrl: string, headers: Record<string, string>, actionUrl: string, before: readonly NccoAction[] = []): Ncco {
  return [
    ...before,
    { action: 'connect', endpoint: [{ type: 'websocket', uri: socketUrl, 'content-type': 'audio/l16;rate=16000', headers }] },
    { action: 'notify', payload: { event: 'conversation-ended', ...headers }, eventUrl: [actionUrl], eventMethod: 'POST' },
  ];
}

/** Connects the caller to a person at `to`, showing `callerId`. */
export function transferNcco(to: string, callerId: string): Ncco {
  return [{ action: 'connect', from: toMsisdn(callerId), endpoint: [{ type: 'phone', number: toMsisdn(to) }] }];
}

/** Nothing more to do: Vonage hangs up when the NCCO runs out. */
export function hangupNcco(): Ncco {
  return [];
}

/** Speaks `text` with Vonage's own voice (a voicemail left after the beep), then the call ends. */
export function talkNcco(text: string, language?: string): Ncco {
  return [{ action: 'talk', text, ...(language ? { language } : {}) }];
}

/**
 * Holds an answered call in silence (a conversation of one) while answering-machine detection listens: the call
 * gets its real instructions when the result comes (a transfer to a new NCCO).
 */
export function holdNcco(reference: string): Ncco {
  return [{ action: 'conversation', name: `hold-${reference}` }];
}
