import { DomainError } from '../../ports/errors.js';
import { toMsisdn } from './vonage-numbers.js';

/**
 * Vonage Call Control Objects: the instructions a call runs. Kept apart from the adapter so that live
 * conversations (a `connect` to a WebSocket endpoint) can be added beside `stream` and the transfer.
 */
export type NccoAction =
  | { action: 'stream'; streamUrl: string[]; loop: number }
  | { action: 'connect'; from: string; endpoint: Array<{ type: 'phone'; number: string }> };

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

/** Connects the caller to a person at `to`, showing `callerId`. */
export function transferNcco(to: string, callerId: string): Ncco {
  return [{ action: 'connect', from: toMsisdn(callerId), endpoint: [{ type: 'phone', number: toMsisdn(to) }] }];
}

/** Nothing more to do: Vonage hangs up when the NCCO runs out. */
export function hangupNcco(): Ncco {
  return [];
}
