import type { AuditEntry } from '../../ports/audit.js';
import { DomainError } from '../../ports/errors.js';
import { requireAdmin } from '../auth/authenticate.js';
import { customerScope, requireOperator } from '../auth/tenancy.js';
import { defineUseCase } from '../use-case.js';
import { verifyChain, type ChainReport } from './audit-chain.js';

interface ListAuditInput { action?: string; agentId?: string; since?: string; until?: string; limit?: number; cursor?: string }

const entrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['seq', 'id', 'at', 'actorKind', 'actorId', 'action', 'agentId', 'targets', 'outcome', 'requestId', 'prevHash', 'hash'],
  properties: {
    seq: { type: 'integer' },
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actorKind: { type: 'string', enum: ['admin', 'customer', 'agent', 'system', 'anonymous'] },
    actorId: { type: ['string', 'null'] },
    action: { type: 'string' },
    agentId: { type: ['string', 'null'] },
    targets: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    outcome: { type: 'string', description: '`ok`, or the error code the action ended with.' },
    requestId: { type: ['string', 'null'] },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

const toView = (e: AuditEntry) => ({ ...e, at: e.at.toISOString() });

function instant(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new DomainError('INVALID_INPUT', `${field} is not an ISO 8601 time.`, 'Write times like 2026-11-30T12:00:00Z.', { field });
  return at;
}

export const listAuditLog = defineUseCase<ListAuditInput, { entries: ReturnType<typeof toView>[]; nextCursor: string | null }>({
  name: 'comms_list_audit_log',
  title: 'Read the audit trail',
  description:
    'Admin only (a customer admin sees its own agents\' entries). Entries of the hash-chained audit trail, newest first, with cursor pagination: who (admin, agent, system, ' +
    'anonymous source) did what to which ids, when, and how it ended. Filter by action, agent and time range. Ids and codes only, never message contents.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      action: { type: 'string', minLength: 1, maxLength: 64, description: 'e.g. agent.create, agent.token.rotate, policy.refusal, auth.failure-burst.' },
      agentId: { type: 'string', minLength: 1, maxLength: 64 },
      since: { type: 'string', format: 'date-time', description: 'At or after this time.' },
      until: { type: 'string', format: 'date-time', description: 'Before this time.' },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      cursor: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'nextCursor of the previous page.' },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['entries', 'nextCursor'],
    properties: { entries: { type: 'array', items: entrySchema }, nextCursor: { type: ['string', 'null'] } },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'audit',
  tenancy: 'customer-scoped',
  rest: { method: 'GET', path: '/audit' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const limit = input.limit ?? 50;
    const rows = await ctx.ports.db.audit.list({
      action: input.action,
      agentId: input.agentId,
      customerId: customerScope(ctx.caller),
      since: instant(input.since, 'since'),
      until: instant(input.until, 'until'),
      beforeSeq: input.cursor === undefined ? undefined : Number(input.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { entries: page.map(toView), nextCursor: rows.length > limit && last ? String(last.seq) : null };
  },
});

export const verifyAuditLog = defineUseCase<Record<string, never>, ChainReport>({
  name: 'comms_verify_audit_log',
  title: 'Verify the audit trail',
  description:
    'Admin only. Recomputes the hash chain of the whole audit trail and reports the first broken link: an entry whose ' +
    'content was changed (content-changed) or that does not follow the entry before it (link-broken: deleted, inserted or moved rows).',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['valid', 'checked', 'head', 'firstBreak'],
    properties: {
      valid: { type: 'boolean' },
      checked: { type: 'integer' },
      head: { type: ['object', 'null'], additionalProperties: false, required: ['seq', 'hash'], properties: { seq: { type: 'integer' }, hash: { type: 'string' } } },
      firstBreak: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['seq', 'id', 'problem', 'expectedPrevHash'],
        properties: {
          seq: { type: 'integer' }, id: { type: 'string' }, problem: { type: 'string', enum: ['content-changed', 'link-broken'] }, expectedPrevHash: { type: 'string' },
        },
      },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'audit',
  rest: { method: 'GET', path: '/audit/verify' },
  async run(ctx) {
    requireOperator(ctx, 'comms_verify_audit_log');
    return verifyChain(ctx.ports.db.audit, ctx.ports.secrets);
  },
});
