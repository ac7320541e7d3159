import type { ComplianceChannel, Purpose } from '../../ports/compliance.js';
import type { Channel } from '../../ports/records.js';
import { actingAgent, ownChannel } from '../auth/authenticate.js';
import { previewOutbound } from '../policy/preview-outbound.js';
import { defineUseCase } from '../use-case.js';
import { channelSchema, contactSchema, requireContact } from './contact-input.js';
import { purposeSchema } from './purpose-schema.js';

interface CheckContactInput { agentId?: string; to: string; channel: ComplianceChannel; purpose?: Purpose }

interface Reason { code: string; message: string; nextStep: string | null; details: Record<string, unknown> }

interface CheckContactOutput {
  allowed: boolean;
  /** Every rule that would refuse now, in policy order. */
  reasons: Reason[];
  /** When a quiet-hours refusal names one: the next allowed time in UTC, and in the recipient's zone. */
  nextAllowedAt: string | null;
  nextAllowedLocal: string | null;
}

/** The channel whose address the agent would send from (calls go out from its SMS number). */
const SENDING_CHANNEL: Readonly<Record<ComplianceChannel, Channel>> = { sms: 'sms', voice: 'sms', whatsapp: 'whatsapp', email: 'email' };

export const checkContact = defineUseCase<CheckContactInput, CheckContactOutput>({
  name: 'comms_check_contact',
  title: 'May I contact this person now?',
  description:
    'Ask before contacting: whether this agent may reach `to` on `channel` now (for `purpose`), and if not every reason ' +
    '(OPTED_OUT, DO_NOT_CONTACT, CONSENT_REQUIRED, QUIET_HOURS, RATE_LIMITED, CONTACT_LIMIT_REACHED …) with what to do ' +
    'instead and, for quiet hours, the next allowed time in UTC and in the recipient\'s zone. Sends nothing and costs nothing.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'channel'],
    properties: { agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' }, to: contactSchema, channel: channelSchema, purpose: purposeSchema },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['allowed', 'reasons', 'nextAllowedAt', 'nextAllowedLocal'],
    properties: {
      allowed: { type: 'boolean' },
      reasons: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['code', 'message', 'nextStep', 'details'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, nextStep: { type: ['string', 'null'] }, details: { type: 'object' } },
        },
      },
      nextAllowedAt: { type: ['string', 'null'] },
      nextAllowedLocal: { type: ['string', 'null'] },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'compliance',
  rest: { method: 'GET', path: '/contact-check' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const to = requireContact(ctx.ports.phoneNumbers, input.to, 'to');
    const own = await ownChannel(ctx, agent.id, SENDING_CHANNEL[input.channel]);
    const refusals = await previewOutbound(ctx, {
      kind: input.channel === 'voice' ? 'call' : input.channel, agent, contacts: [to], sender: own?.address ?? '', purpose: input.purpose ?? 'transactional', lines: [],
    });
    const quiet = refusals.find((r) => r.code === 'QUIET_HOURS');
    const at = (key: string): string | null => (typeof quiet?.details[key] === 'string' ? (quiet.details[key] as string) : null);
    return {
      allowed: refusals.length === 0,
      reasons: refusals.map((r) => ({ code: r.code, message: r.message, nextStep: r.nextStep ?? null, details: { ...r.details } })),
      nextAllowedAt: at('nextAllowedAt'),
      nextAllowedLocal: at('nextAllowedLocal'),
    };
  },
});
