import { DomainError } from '../../ports/errors.js';
import { requireOperator } from '../auth/tenancy.js';
import type { UseCaseContext } from '../context.js';
import type { PhoneNumbers } from '../../ports/phone-numbers.js';
import { defineUseCase } from '../use-case.js';
import { contactHash } from './contact-hash.js';
import { audited } from '../audit/record-audit.js';

const MAX_NUMBERS = 1000;
const numbersSchema = { type: 'array', minItems: 1, maxItems: MAX_NUMBERS, items: { type: 'string', minLength: 2, maxLength: 32 }, description: 'E.164 numbers.' } as const;
const agentIdSchema = { type: 'string', minLength: 1, description: 'The agent whose own list it is; absent: the global list (every agent).' } as const;

interface ListInput { numbers: string[]; agentId?: string }

/** Numbers as written in lists ("+1 (555) 010-0123"): separators dropped, then E.164 or an INVALID_INPUT naming the position. */
function e164(phoneNumbers: PhoneNumbers, raw: string, where: string): string {
  const number = phoneNumbers.parse(raw.trim().replace(/^"|"$/g, ''))?.e164;
  if (!number) {
    throw new DomainError('INVALID_INPUT', `${where} is not an E.164 phone number.`, 'Write numbers with + and the country code, e.g. +15550100123.', { field: where });
  }
  return number;
}

async function listOwner(ctx: UseCaseContext, agentId: string | undefined): Promise<string | null> {
  requireOperator(ctx, 'the do-not-contact tools');
  if (agentId === undefined) return null;
  if (!(await ctx.ports.db.agents.findById(agentId))) throw new DomainError('NOT_FOUND', `Agent ${agentId} does not exist.`, 'Check the agentId.', { agentId });
  return agentId;
}

async function addNumbers(ctx: UseCaseContext, numbers: string[], agentId: string | null, source: string): Promise<{ added: number; alreadyListed: number }> {
  const now = ctx.ports.clock.now();
  const hashes = [...new Set(numbers.map((n) => contactHash(ctx.ports.secrets, n)))];
  const facts = { action: 'do-not-contact.add', agentId, targets: { list: agentId ?? 'global', source, numbers: hashes.length } };
  const added = await audited(ctx, facts, async (tx) => {
    const count = await tx.compliance.addDoNotContact(hashes.map((h) => ({ contactHash: h, agentId, source, createdAt: now })));
    return { result: count, targets: { added: count } };
  });
  return { added, alreadyListed: hashes.length - added };
}

const countsOutput = (...keys: string[]) => ({
  type: 'object', additionalProperties: false, required: keys, properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' }])),
}) as const;

export const addDoNotContact = defineUseCase<ListInput, { added: number; alreadyListed: number }>({
  name: 'comms_add_do_not_contact',
  title: 'Add numbers to the do-not-contact list',
  description: 'Admin: put numbers on the global do-not-contact list, or on one agent\'s (agentId). Calls, SMS and WhatsApp to them are refused with DO_NOT_CONTACT. Only a hash of each number is stored.',
  input: { type: 'object', additionalProperties: false, required: ['numbers'], properties: { numbers: numbersSchema, agentId: agentIdSchema } },
  output: countsOutput('added', 'alreadyListed'),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'compliance',
  rest: { method: 'POST', path: '/do-not-contact' },
  async run(ctx, input) {
    const owner = await listOwner(ctx, input.agentId);
    return addNumbers(ctx, input.numbers.map((n, i) => e164(ctx.ports.phoneNumbers, n, `numbers.${i}`)), owner, 'admin');
  },
});

export const removeDoNotContact = defineUseCase<ListInput, { removed: number }>({
  name: 'comms_remove_do_not_contact',
  title: 'Remove numbers from the do-not-contact list',
  description: 'Admin: take numbers off the global list, or off one agent\'s (agentId).',
  input: { type: 'object', additionalProperties: false, required: ['numbers'], properties: { numbers: numbersSchema, agentId: agentIdSchema } },
  output: countsOutput('removed'),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'compliance',
  rest: { method: 'POST', path: '/do-not-contact/remove' },
  async run(ctx, input) {
    const owner = await listOwner(ctx, input.agentId);
    const hashes = input.numbers.map((n, i) => contactHash(ctx.ports.secrets, e164(ctx.ports.phoneNumbers, n, `numbers.${i}`)));
    const facts = { action: 'do-not-contact.remove', agentId: owner, targets: { list: owner ?? 'global', numbers: hashes.length } };
    const removed = await audited(ctx, facts, async (tx) => {
      const count = await tx.compliance.removeDoNotContact(hashes, owner);
      return { result: count, targets: { removed: count } };
    });
    return { removed };
  },
});

export const importDoNotContact = defineUseCase<{ csv: string; agentId?: string }, { added: number; alreadyListed: number; rows: number }>({
  name: 'comms_import_do_not_contact',
  title: 'Import a do-not-contact list (CSV)',
  description:
    'Admin: add every number of a CSV (the first column of each row; a header row and blank rows are skipped) to the ' +
    'global list or one agent\'s. All or nothing: a row that is not a number is reported by its line and nothing is added.',
  input: {
    type: 'object', additionalProperties: false, required: ['csv'],
    properties: { csv: { type: 'string', minLength: 1, maxLength: 5_000_000, description: 'CSV text, one number per row in the first column.' }, agentId: agentIdSchema },
  },
  output: countsOutput('added', 'alreadyListed', 'rows'),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'compliance',
  rest: { method: 'POST', path: '/do-not-contact/import' },
  async run(ctx, input) {
    const owner = await listOwner(ctx, input.agentId);
    const numbers: string[] = [];
    input.csv.split(/\r?\n/).forEach((line, index) => {
      const first = line.split(',')[0]!.trim();
      if (first === '' || (index === 0 && !/\d/.test(first))) return;
      numbers.push(e164(ctx.ports.phoneNumbers, first, `csv line ${index + 1}`));
    });
    return { ...(await addNumbers(ctx, numbers, owner, 'import')), rows: numbers.length };
  },
});

export const checkDoNotContact = defineUseCase<ListInput, { numbers: Array<{ number: string; listed: boolean; lists: string[] }> }>({
  name: 'comms_check_do_not_contact',
  title: 'Check numbers against the do-not-contact list',
  description: 'Admin: whether each number is on the global list or an agent\'s (with agentId: that agent\'s and the global one; without: any list).',
  input: { type: 'object', additionalProperties: false, required: ['numbers'], properties: { numbers: numbersSchema, agentId: agentIdSchema } },
  output: {
    type: 'object', additionalProperties: false, required: ['numbers'],
    properties: {
      numbers: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['number', 'listed', 'lists'],
          properties: { number: { type: 'string' }, listed: { type: 'boolean' }, lists: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'compliance',
  rest: { method: 'POST', path: '/do-not-contact/check' },
  async run(ctx, input) {
    const owner = await listOwner(ctx, input.agentId);
    const numbers = input.numbers.map((n, i) => e164(ctx.ports.phoneNumbers, n, `numbers.${i}`));
    const hashes = numbers.map((n) => contactHash(ctx.ports.secrets, n));
    const entries = await ctx.ports.db.compliance.findDoNotContact(hashes, owner);
    return {
      numbers: numbers.map((number, i) => {
        const lists = entries.filter((e) => e.contactHash === hashes[i]).map((e) => e.agentId ?? 'global');
        return { number, listed: lists.length > 0, lists };
      }),
    };
  },
});
