import { requireOperator } from '../auth/tenancy.js';
import { CALL_UNTRUSTED, toCallView, type CallView } from '../calls/call-view.js';
import { MESSAGE_UNTRUSTED, toMessageView, type MessageView } from '../messages/message-view.js';
import { defineUseCase, untrustedUnder } from '../use-case.js';
import { actorOf, recordAudit } from '../audit/record-audit.js';
import { contactHash } from './contact-hash.js';
import { contactSchema, requireContact } from './contact-input.js';
import { callFileKeys } from './contact-files.js';
import { toConsentView } from './consent-tools.js';

/** Long enough to download the export's files, short enough that a leaked export soon stops serving them. */
const FILE_URL_TTL_SECONDS = 60 * 60;

export const exportContact = defineUseCase<{ contact: string }, Record<string, unknown>>({
  name: 'comms_export_contact',
  title: 'Export everything about a person',
  description:
    'Admin (right of access): everything held about this number or address across all agents, as JSON: messages, ' +
    'calls with transcripts, stored files (with links valid for an hour), consents, opt-outs, do-not-contact entries ' +
    'and any erasure tombstone.',
  input: { type: 'object', additionalProperties: false, required: ['contact'], properties: { contact: contactSchema } },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['contact', 'contactHash', 'exportedAt', 'messages', 'calls', 'files', 'consents', 'optOuts', 'doNotContact', 'erasure'],
    properties: {
      contact: { type: 'string' }, contactHash: { type: 'string' }, exportedAt: { type: 'string' },
      messages: { type: 'array' }, calls: { type: 'array' }, files: { type: 'array' }, consents: { type: 'array' },
      optOuts: { type: 'array' }, doNotContact: { type: 'array' }, erasure: { type: ['object', 'null'] },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'compliance',
  untrusted: [...untrustedUnder('messages[]', MESSAGE_UNTRUSTED), ...untrustedUnder('calls[]', CALL_UNTRUSTED)],
  rest: { method: 'POST', path: '/contacts/export' },
  async run(ctx, input) {
    requireOperator(ctx, 'comms_export_contact');
    const contact = requireContact(ctx.ports.phoneNumbers, input.contact);
    const hash = contactHash(ctx.ports.secrets, contact);
    const { db, storage } = ctx.ports;
    const { messages, calls } = await db.compliance.holdings(contact);
    const callViews: CallView[] = await Promise.all(calls.map(async (c) => toCallView(c, await db.turns.list(c.id))));
    const files = await Promise.all(calls.flatMap((c) => callFileKeys(c).map(async (key) => ({
      callId: c.id, key, url: storage ? await storage.port.signedUrl(key, FILE_URL_TTL_SECONDS) : null,
    }))));
    const tombstone = await db.compliance.findTombstone(hash);
    // Reading someone's data is an admin action worth a trace (ids and counts only).
    await recordAudit(ctx.ports, actorOf(ctx.caller), { action: 'contact.export', targets: { contactHash: hash, messages: messages.length, calls: calls.length } }, 'ok', ctx.requestId);
    return {
      contact,
      contactHash: hash,
      exportedAt: ctx.ports.clock.now().toISOString(),
      messages: messages.map((m): MessageView => toMessageView(m)),
      calls: callViews,
      files,
      consents: (await db.compliance.consents(hash, null)).map((r) => ({ agentId: r.agentId, ...toConsentView(r) })),
      optOuts: (await db.compliance.optOutsOf(hash)).map((o) => ({ channel: o.channel, sender: o.sender ?? 'all senders', scope: o.scope, source: o.source, since: o.createdAt.toISOString() })),
      doNotContact: (await db.compliance.findDoNotContact([hash], null)).map((e) => ({ list: e.agentId ?? 'global', source: e.source, since: e.createdAt.toISOString() })),
      erasure: tombstone ? { erasedAt: tombstone.erasedAt.toISOString(), counts: tombstone.counts } : null,
    };
  },
});
