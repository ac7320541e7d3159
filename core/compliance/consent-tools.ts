import type { ComplianceChannel, ConsentRecord, Purpose } from '../../ports/compliance.js';
import { DomainError } from '../../ports/errors.js';
import { actingAgent } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';
import { contactHash } from './contact-hash.js';
import { channelSchema, contactSchema, requireContact } from './contact-input.js';

interface RecordConsentInput {
  agentId?: string;
  contact: string;
  channel: ComplianceChannel;
  scope: Purpose;
  status?: 'granted' | 'withdrawn';
  source: string;
  evidence?: string;
  givenAt?: string;
}

interface ConsentView {
  consentId: string;
  channel: string;
  scope: string;
  status: string;
  source: string;
  evidence: string | null;
  givenAt: string;
  recordedAt: string;
}

const consentViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['consentId', 'channel', 'scope', 'status', 'source', 'evidence', 'givenAt', 'recordedAt'],
  properties: {
    consentId: { type: 'string' }, channel: { type: 'string' }, scope: { type: 'string' }, status: { type: 'string' },
    source: { type: 'string' }, evidence: { type: ['string', 'null'] }, givenAt: { type: 'string' }, recordedAt: { type: 'string' },
  },
} as const;

export function toConsentView(r: ConsentRecord): ConsentView {
  return {
    consentId: r.id, channel: r.channel, scope: r.scope, status: r.status, source: r.source, evidence: r.evidence,
    givenAt: r.givenAt.toISOString(), recordedAt: r.createdAt.toISOString(),
  };
}

export const recordConsent = defineUseCase<RecordConsentInput, ConsentView>({
  name: 'comms_record_consent',
  title: 'Record a consent',
  description:
    'Record that a person gave (or withdrew) consent to be contacted by this agent on a channel, for `marketing` or ' +
    '`transactional` messages, with where it was given (`source`), proof (`evidence`: form id, recording, the words ' +
    'said) and when (`givenAt`, default now). The latest record of a channel and scope decides. Marketing sends on ' +
    'channels where the operator requires consent are refused (CONSENT_REQUIRED) without a granted one.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['contact', 'channel', 'scope', 'source'],
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' },
      contact: contactSchema,
      channel: channelSchema,
      scope: { type: 'string', enum: ['marketing', 'transactional'] },
      status: { type: 'string', enum: ['granted', 'withdrawn'], default: 'granted' },
      source: { type: 'string', minLength: 1, maxLength: 200, description: 'Where it was given: web-form, sms-keyword, call, paper …' },
      evidence: { type: 'string', maxLength: 4000, description: 'Proof of the consent as the agent has it.' },
      givenAt: { type: 'string', format: 'date-time', description: 'When the person gave it; now when absent.' },
    },
  },
  output: consentViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'compliance',
  rest: { method: 'POST', path: '/consents', successStatus: 201 },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const contact = requireContact(ctx.ports.phoneNumbers, input.contact);
    const now = ctx.ports.clock.now();
    const givenAt = input.givenAt ? new Date(input.givenAt) : now;
    if (Number.isNaN(givenAt.getTime()) || givenAt > now) {
      throw new DomainError('INVALID_INPUT', 'givenAt must be a past ISO 8601 time.', 'Give the time the person consented, or leave it out for now.', { field: 'givenAt' });
    }
    const record: ConsentRecord = {
      id: ctx.ports.ids.next('cns'), agentId: agent.id, contactHash: contactHash(ctx.ports.secrets, contact), channel: input.channel,
      scope: input.scope, status: input.status ?? 'granted', source: input.source, evidence: input.evidence ?? null, givenAt, createdAt: now,
    };
    await audited(ctx, { action: 'consent.record', agentId: agent.id, targets: { consentId: record.id, contactHash: record.contactHash, channel: record.channel, status: record.status } }, async (tx) => {
      await tx.compliance.recordConsent(record);
      return { result: undefined };
    });
    return toConsentView(record);
  },
});

export const getConsent = defineUseCase<{ agentId?: string; contact: string; channel?: ComplianceChannel }, { consents: ConsentView[] }>({
  name: 'comms_get_consent',
  title: 'Get consents',
  description: 'The consent records this agent holds for a person (newest first), optionally of one channel: what was consented to, where, with what proof and when.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['contact'],
    properties: { agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' }, contact: contactSchema, channel: channelSchema },
  },
  output: { type: 'object', additionalProperties: false, required: ['consents'], properties: { consents: { type: 'array', items: consentViewSchema } } },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'compliance',
  rest: { method: 'GET', path: '/consents' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const records = await ctx.ports.db.compliance.consents(contactHash(ctx.ports.secrets, requireContact(ctx.ports.phoneNumbers, input.contact)), agent.id);
    return { consents: records.filter((r) => !input.channel || r.channel === input.channel).map(toConsentView) };
  },
});
