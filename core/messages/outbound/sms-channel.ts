import { ownChannel } from '../../auth/authenticate.js';
import { requireTelephony } from '../../context.js';
import { requireE164 } from '../../phone-number.js';
import { countSmsSegments } from '../../usage/sms-segments.js';
import { invalidField, notConfigured, refuseForeignFields, singleRecipient } from './channel-errors.js';
import type { OutboundChannel } from './outbound-channel.js';

const SMS_MAX_LENGTH = 1600;

export const smsChannel: OutboundChannel = {
  async prepare(ctx, agent, input) {
    refuseForeignFields(input, 'sms', ['body']);
    const to = requireE164(ctx.ports.phoneNumbers, singleRecipient(input.to), 'to');
    const body = input.body ?? '';
    if (body.trim() === '') throw invalidField('body', 'body must not be empty.', 'Write the text of the message in body.');
    if (body.length > SMS_MAX_LENGTH) throw invalidField('body', `body is longer than ${SMS_MAX_LENGTH} characters.`, 'Shorten the text or split it into several messages.');
    const telephony = requireTelephony(ctx.ports);
    const own = await ownChannel(ctx, agent.id, 'sms');
    if (!own) throw notConfigured('sms', `Agent ${agent.id} has no sms number.`, 'Give the agent a number first (agentos-comms agent create --phone …).');
    return { from: own.address, to, body, metadata: {}, provider: telephony.id, fingerprint: ['sms', to, body], content: body, extras: {} };
  },

  meter(prepared) {
    return { units: countSmsSegments(prepared.body).segments, unit: 'segment', contacts: [prepared.to] };
  },

  send(ctx, message) {
    return requireTelephony(ctx.ports).port.sendSms({
      from: message.from,
      to: message.to,
      body: message.body,
      statusCallbackUrl: `${ctx.ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(message.agentId)}/sms/status`,
      reference: message.id,
    });
  },
};
