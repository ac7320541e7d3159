import { actingAgent } from '../auth/authenticate.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import { defineUseCase, untrustedUnder } from '../use-case.js';
import { CALL_UNTRUSTED, type CallView, callViewSchema, toCallView } from './call-view.js';

interface ListCallsInput { agentId?: string; limit?: number; cursor?: string }

export const listCalls = defineUseCase<ListCallsInput, { calls: CallView[]; nextCursor: string | null }>({
  name: 'comms_list_calls',
  title: 'List calls',
  description: 'This agent\'s calls, newest first; nextCursor pages on. Transcripts: comms_get_call.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      cursor: { type: 'string', minLength: 1, maxLength: 200 },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['calls', 'nextCursor'],
    properties: { calls: { type: 'array', items: callViewSchema }, nextCursor: { type: ['string', 'null'] } },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'calls',
  untrusted: untrustedUnder('calls[]', CALL_UNTRUSTED),
  rest: { method: 'GET', path: '/calls' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const limit = input.limit ?? 20;
    const rows = await ctx.ports.db.calls.list({ agentId: agent.id, limit: limit + 1, before: input.cursor ? decodeCursor(input.cursor) : undefined });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { calls: page.map((c) => toCallView(c)), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  },
});
