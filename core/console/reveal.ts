import { DomainError } from '../../ports/errors.js';
import { requireAdmin } from '../auth/authenticate.js';
import { audited } from '../audit/record-audit.js';
import { defineUseCase } from '../use-case.js';

type RevealKind = 'message' | 'call';
interface RevealOutput { kind: RevealKind; id: string; contact: string; body: string | null; subject: string | null }

/**
 * The one way the admin console shows what it masks: a message's full contact, body and subject, or a call's
 * full contact. Every reveal is an audit entry (who, which item), whether it found the item or not.
 */
export const reveal = defineUseCase<{ kind: RevealKind; id: string }, RevealOutput>({
  name: 'comms_reveal',
  title: 'Reveal a message or call',
  description:
    'Admin only. The full contact address, body and subject of one message, or the full contact number of one call, ' +
    'which the console overview masks. Each reveal is recorded in the audit trail (action console.reveal).',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['kind', 'id'],
    properties: { kind: { type: 'string', enum: ['message', 'call'] }, id: { type: 'string', minLength: 1, maxLength: 100 } },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['kind', 'id', 'contact', 'body', 'subject'],
    properties: {
      kind: { type: 'string', enum: ['message', 'call'] },
      id: { type: 'string' },
      contact: { type: 'string' },
      body: { type: ['string', 'null'] },
      subject: { type: ['string', 'null'] },
    },
  },
  untrusted: ['body', 'subject'],
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'audit',
  rest: { method: 'POST', path: '/console/reveal' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const facts = { action: 'console.reveal', targets: { kind: input.kind, id: input.id } };
    return audited(ctx, facts, async (tx) => {
      const item = input.kind === 'message' ? await tx.messages.findById(input.id) : await tx.calls.findById(input.id);
      if (!item) throw new DomainError('NOT_FOUND', `No ${input.kind} ${input.id}.`, 'Take the id from the console overview (comms_get_console_overview).', { kind: input.kind, id: input.id });
      const contact = item.direction === 'outbound' ? item.to : item.from;
      const subject = 'body' in item && typeof item.metadata.subject === 'string' ? item.metadata.subject : null;
      const result: RevealOutput = { kind: input.kind, id: item.id, contact, body: 'body' in item ? item.body : null, subject };
      return { result, targets: { agentId: item.agentId } };
    });
  },
});
