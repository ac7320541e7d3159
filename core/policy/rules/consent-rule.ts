import { DomainError } from '../../../ports/errors.js';
import { actionChannel } from '../../compliance/action-channel.js';
import { contactHash } from '../../compliance/contact-hash.js';
import type { PolicyRule } from '../outbound-action.js';

/** Marketing on channels the operator names needs the person's recorded, granted (and not withdrawn) marketing consent. */
export const consentRule: PolicyRule = {
  name: 'consent',
  async evaluate({ ctx, action }) {
    const channel = actionChannel(action.kind);
    if (action.purpose !== 'marketing' || !ctx.ports.settings.compliance.consent.requiredForMarketing.includes(channel)) return [];
    for (const contact of action.contacts) {
      const records = await ctx.ports.db.compliance.consents(contactHash(ctx.ports.secrets, contact), action.agent.id);
      const latest = records.find((r) => r.channel === channel && r.scope === 'marketing');
      if (latest?.status === 'granted') continue;
      throw new DomainError(
        'CONSENT_REQUIRED',
        `Marketing on ${channel} needs the recipient's recorded consent, and ${latest ? 'it was withdrawn' : 'there is none'}.`,
        'Send it as transactional only if it is not marketing; otherwise ask the person for consent and record it with comms_record_consent first.',
        { channel, consent: latest ? 'withdrawn' : 'none' },
      );
    }
    return [];
  },
};
