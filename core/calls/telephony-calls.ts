import type { TelephonyCalls } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { Provided } from '../context.js';

/** The call half of a telephony adapter, or CHANNEL_NOT_CONFIGURED when it handles no calls. */
export function telephonyCalls(telephony: Provided<TelephonyPort>): TelephonyCalls {
  const calls = telephony.port.calls;
  if (!calls) {
    throw new DomainError('CHANNEL_NOT_CONFIGURED', `The ${telephony.id} adapter handles no calls.`, 'Configure a telephony adapter with voice.', { port: 'telephony' });
  }
  return calls;
}

/** The call half of an adapter that can also hold live AI conversations, or CHANNEL_NOT_CONFIGURED. */
export function conversationCalls(telephony: Provided<TelephonyPort>): TelephonyCalls {
  const calls = telephonyCalls(telephony);
  if (telephony.port.capabilities.conversations === false) {
    throw new DomainError(
      'CHANNEL_NOT_CONFIGURED',
      `The ${telephony.id} adapter places calls but cannot hold live conversations yet.`,
      'Use comms_send_voice_message with this provider, or configure a telephony adapter with live conversations (twilio, or vonage with a voice application).',
      { port: 'telephony' },
    );
  }
  return calls;
}
