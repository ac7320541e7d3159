import { ownChannel } from '../../auth/authenticate.js';
import type { TelephonyPort } from '../../../ports/telephony.js';
import { requireTelephony, type Provided } from '../../context.js';
import { agentTelephony } from '../../customers/agent-telephony.js';
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
    const telephony = await agentTelephony(ctx, agent);
    // Its own number first (dedicated, hybrid), else the number it shares with other agents.
    const from = (await ownChannel(ctx, agent.id, 'sms'))?.address ?? agent.sharedNumber;
    if (!from) throw notConfigured('sms', `Agent ${agent.id} has no sms number.`, 'Give the agent a number first (agentos-comms agent create --phone …).');
    // The adapter goes with the prepared message: send uses the same account (the agent's subaccount, if any).
    return { from, to, body, metadata: {}, provider: telephony.id, fingerprint: ['sms', to, body], content: body, extras: { telephony } };
  },

  meter(prepared) {
    return { units: countSmsSegments(prepared.body).segments, unit: 'segment', contacts: [prepared.to] };
  },

  send(ctx, message, prepared) {
    const telephony = (prepared.extras.telephony as Provided<TelephonyPort> | undefined) ?? requireTelephony(ctx.ports);
    return telephony.port.sendSms({
      from: message.from,
      to: message.to,
      body: message.body,
      statusCallbackUrl: `${ctx.ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(message.agentId)}/sms/status`,
      reference: message.id,
      requestId: ctx.requestId,
    });
  },
};
