import { DomainError } from '../../ports/errors.js';
import { actingAgent } from '../auth/authenticate.js';
import { audited } from '../audit/record-audit.js';
import { defineUseCase } from '../use-case.js';
import { requireAgentContact } from './thread-tools.js';
import { contactViewSchema, toContactView, type ContactView } from './thread-view.js';

const agentIdInput = { type: 'string', minLength: 1, description: 'Only with the admin token: the agent whose contact it is.' } as const;
const contactIdInput = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const updateContact = defineUseCase<{ agentId?: string; contactId: string; name: string | null }, ContactView>({
  name: 'comms_update_contact',
  title: 'Name a contact',
  description: 'Sets the name the agent knows a contact by (shown in threads), or clears it with null.',
  input: {
    type: 'object', additionalProperties: false, required: ['contactId', 'name'],
    properties: { agentId: agentIdInput, contactId: contactIdInput, name: { type: ['string', 'null'], maxLength: 200 } },
  },
  output: contactViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'threads',
  rest: { method: 'PATCH', path: '/contacts/:contactId' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const name = input.name === null ? null : input.name.trim() || null;
    if (!(await ctx.ports.db.contacts.rename(agent.id, input.contactId, name, ctx.ports.clock.now()))) {
      await requireAgentContact(ctx, agent.id, input.contactId);
    }
    return toContactView(await requireAgentContact(ctx, agent.id, input.contactId));
  },
});

export const mergeContacts = defineUseCase<{ agentId?: string; contactId: string; mergeContactId: string }, ContactView>({
  name: 'comms_merge_contacts',
  title: 'Merge two contacts',
  description:
    'The same person reached on several addresses (a phone number and an email): merges mergeContactId into contactId. ' +
    'Its addresses move over, the two threads become one, mergeContactId stops existing. Not undoable.',
  input: {
    type: 'object', additionalProperties: false, required: ['contactId', 'mergeContactId'],
    properties: { agentId: agentIdInput, contactId: contactIdInput, mergeContactId: contactIdInput },
  },
  output: contactViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'threads',
  rest: { method: 'POST', path: '/contacts/:contactId/merge' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    if (input.contactId === input.mergeContactId) {
      throw new DomainError('INVALID_INPUT', 'A contact cannot be merged into itself.', 'Pass two different contactIds.', { field: 'mergeContactId' });
    }
    // Audited: a merge cannot be undone, and the record says who joined which two contacts.
    return audited(ctx, { action: 'contact.merge', agentId: agent.id, targets: { contactId: input.contactId, mergeContactId: input.mergeContactId } }, async (tx) => {
      const merged = await tx.contacts.merge(agent.id, input.contactId, input.mergeContactId, ctx.ports.clock.now());
      if (!merged) {
        const missing = (await tx.contacts.find(agent.id, input.contactId)) ? input.mergeContactId : input.contactId;
        throw new DomainError('NOT_FOUND', `Contact ${missing} does not exist for this agent.`, 'Take contactIds from comms_list_threads.', { contactId: missing });
      }
      return { result: toContactView(merged) };
    });
  },
});
