import type { CallLogRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';

/**
 * What is said before a call is recorded: the consent announcement where the other party's jurisdiction
 * asks every party's consent (everywhere by default), else nothing. The other party is the callee of an
 * outbound call and the caller of an inbound one; a number whose country is unknown is treated as one
 * that asks for consent.
 */
export function recordingAnnouncement(ports: CorePorts, call: CallLogRecord): string | null {
  const { allPartyJurisdictions, announcement } = ports.settings.compliance.recordingConsent;
  const own = ports.settings.voice.recordingAnnouncement ?? null;
  const otherParty = call.direction === 'outbound' ? call.to : call.from;
  const country = ports.phoneLocations.locate(otherParty).country;
  const required = allPartyJurisdictions.includes('*') || country === null || allPartyJurisdictions.includes(country);
  // A voice setting of the operator's own is said either way: it may be a notice they want everywhere.
  return required ? (own ?? announcement) : own;
}
