import type { ComplianceChannel, OptOutRecord } from '../../ports/compliance.js';
import type { MessageRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { contactHash } from './contact-hash.js';

/** Records that `contact` wants nothing more from `sender` (or, operator-wide by config, from anyone here). */
export async function recordOptOut(
  ports: CorePorts, o: { contact: string; channel: ComplianceChannel; sender: string; source: OptOutRecord['source']; scope?: OptOutRecord['scope'] },
): Promise<void> {
  const operatorWide = ports.settings.compliance.optOut.scope === 'operator';
  await ports.db.compliance.addOptOut({
    contactHash: contactHash(ports.secrets, o.contact), channel: o.channel, sender: operatorWide ? null : o.sender,
    scope: o.scope ?? 'all', source: o.source, createdAt: ports.clock.now(),
  });
}

/** Lifts the contact's opt-outs of that sender (and operator-wide ones) on the channel: START. */
export async function recordOptIn(ports: CorePorts, o: { contact: string; channel: ComplianceChannel; sender: string }): Promise<void> {
  const operatorWide = ports.settings.compliance.optOut.scope === 'operator';
  await ports.db.compliance.removeOptOuts(contactHash(ports.secrets, o.contact), o.channel, operatorWide ? null : o.sender);
}

/** The provider refused a send because the recipient opted out with it (Twilio 21610): remember it here too. */
export async function recordProviderOptOut(ports: CorePorts, message: MessageRecord): Promise<void> {
  try {
    for (const to of message.to.split(', ')) await recordOptOut(ports, { contact: to, channel: message.channel, sender: message.from, source: 'provider' });
  } catch (err) {
    ports.logger.error({ err, messageId: message.id }, 'recording a provider opt-out failed');
  }
}
