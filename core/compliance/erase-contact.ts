import { requireOperator } from '../auth/tenancy.js';
import { requirePort } from '../context.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';
import { contactHash } from './contact-hash.js';
import { contactSchema, requireContact } from './contact-input.js';
import { callFileKeys } from './contact-files.js';

interface EraseOutput {
  contactHash: string;
  /** False when there was nothing left to erase (a repeat). */
  erased: boolean;
  counts: { messages: number; calls: number; transcriptTurns: number; files: number; consents: number; contacts: number };
  erasedAt: string;
}

const count = { type: 'integer', minimum: 0 } as const;

export const eraseContact = defineUseCase<{ contact: string }, EraseOutput>({
  name: 'comms_erase_contact',
  title: 'Erase everything about a person',
  description:
    'Admin (right to erasure): delete every message, call, transcript, recording and stored file that names this ' +
    'number or address, across all agents, the contacts holding it (with all their addresses and names), and their consent records. What stays is a tombstone with a hash of the ' +
    'contact, with their opt-outs and do-not-contact entries (also hashes), so those still apply. Safe to repeat.',
  input: { type: 'object', additionalProperties: false, required: ['contact'], properties: { contact: contactSchema } },
  output: {
    type: 'object', additionalProperties: false, required: ['contactHash', 'erased', 'counts', 'erasedAt'],
    properties: {
      contactHash: { type: 'string' }, erased: { type: 'boolean' }, erasedAt: { type: 'string' },
      counts: {
        type: 'object', additionalProperties: false, required: ['messages', 'calls', 'transcriptTurns', 'files', 'consents', 'contacts'],
        properties: { messages: count, calls: count, transcriptTurns: count, files: count, consents: count, contacts: count },
      },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  confirmation: { byDefault: true, target: 'contact' },
  auth: 'admin',
  toolset: 'compliance',
  rest: { method: 'POST', path: '/contacts/erase' },
  async run(ctx, input) {
    requireOperator(ctx, 'comms_erase_contact');
    const contact = requireContact(ctx.ports.phoneNumbers, input.contact);
    const hash = contactHash(ctx.ports.secrets, contact);
    const { db } = ctx.ports;
    const { messages, calls } = await db.compliance.holdings(contact);
    const consents = (await db.compliance.consents(hash, null)).length;
    const turns = (await Promise.all(calls.map((c) => db.turns.list(c.id)))).reduce((sum, t) => sum + t.length, 0);
    const files = calls.flatMap(callFileKeys);
    const previous = await db.compliance.findTombstone(hash);
    if (previous && messages.length + calls.length + consents === 0) {
      return { contactHash: hash, erased: false, counts: { messages: 0, calls: 0, transcriptTurns: 0, files: 0, consents: 0, contacts: 0 }, erasedAt: previous.erasedAt.toISOString() };
    }
    // Files first: a failure leaves the rows that name them, so a repeat finds and deletes them.
    if (files.length > 0) {
      const storage = requirePort(ctx.ports, 'storage').port;
      for (const key of files) await storage.delete(key);
    }
    const erasedAt = ctx.ports.clock.now();
    const counts = await audited(ctx, { action: 'contact.erase', targets: { contactHash: hash } }, async (tx) => {
      // The person's contacts go whole (every address, the agent's name for them): they link the erased address to others.
      const found = { messages: messages.length, calls: calls.length, transcriptTurns: turns, files: files.length, consents, contacts: await tx.contacts.eraseByAddress(contact) };
      await tx.compliance.erase({ messageIds: messages.map((m) => m.id), callIds: calls.map((c) => c.id) }, { contactHash: hash, erasedAt, counts: found });
      return { result: found, targets: found };
    });
    ctx.ports.logger.info({ requestId: ctx.requestId, contactHash: hash, ...counts }, 'contact erased');
    return { contactHash: hash, erased: true, counts, erasedAt: erasedAt.toISOString() };
  },
});
