import { CALL_STATUSES, type CallStatus } from '../../ports/calls.js';

/**
 * Twilio's call statuses (resource and status callbacks) are the port's vocabulary word for word; anything else
 * (a status Twilio adds later) is unknown rather than guessed.
 */
export function mapTwilioCallStatus(status: string): CallStatus | null {
  return (CALL_STATUSES as readonly string[]).includes(status) ? (status as CallStatus) : null;
}
