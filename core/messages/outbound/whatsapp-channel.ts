import { ownChannel } from '../../auth/authenticate.js';
import { DomainError } from '../../../ports/errors.js';
import type { AgentRecord } from '../../../ports/records.js';
import { requirePort, type UseCaseContext } from '../../context.js';
import { requireE164 } from '../../phone-number.js';
import { invalidField, notConfigured, refuseForeignFields, singleRecipient } from './channel-errors.js';
import type { OutboundChannel } from './outbound-channel.js';

/** WhatsApp's customer-service window: free-form messages only within 24 h of the contact's last message. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A stable pick among shared senders, so one agent keeps writing to a contact from the same number. */
function stableIndex(key: string, size: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return hash % size;
}

async function senderFor(ctx: UseCaseContext, agent: AgentRecord): Promise<string> {
  const own = await ownChannel(ctx, agent.id, 'whatsapp');
  if (own) return own.address;
  const candidates = await ctx.ports.db.whatsappSenders.candidatesFor(agent.id);
  const dedicated = candidates.find((s) => s.agentId === agent.id);
  if (dedicated) return dedicated.address;
  const shared = candidates.filter((s) => s.agentId === null);
  if (shared.length === 0) {
    throw notConfigured('whatsapp', `Agent ${agent.id} has no WhatsApp sender and the shared pool is empty.`, 'Give the agent a sender (--whatsapp) or add one to the pool.');
  }
  return shared[stableIndex(agent.id, shared.length)]!.address;
}

async function insideServiceWindow(ctx: UseCaseContext, agentId: string, contact: string): Promise<boolean> {
  const since = new Date(ctx.ports.clock.now().getTime() - SERVICE_WINDOW_MS);
  const recent = await ctx.ports.db.messages.list({ agentId, channel: 'whatsapp', direction: 'inbound', contact, since, limit: 1 });
  return recent.length > 0;
}

export const whatsappChannel: OutboundChannel = {
  async prepare(ctx, agent, input) {
    refuseForeignFields(input, 'whatsapp', ['body', 'mediaUrls', 'templateId', 'templateVars']);
    const to = requireE164(ctx.ports.phoneNumbers, singleRecipient(input.to).trim().replace(/^whatsapp:/, ''), 'to');
    const body = input.body?.trim() ? input.body : undefined;
    const mediaUrls = input.mediaUrls ?? [];
    const template = input.templateId ? { id: input.templateId, variables: input.templateVars ?? {} } : undefined;
    if (input.templateVars && !template) throw invalidField('templateVars', 'templateVars needs templateId.', 'Pass the template\'s id in templateId.');
    if (template && (body || mediaUrls.length > 0)) throw invalidField('templateId', 'A template message carries no body or media of its own.', 'Send either a template or free-form content.');
    if (!template && !body && mediaUrls.length === 0) throw invalidField('body', 'A WhatsApp message needs body, mediaUrls or templateId.', 'Write the text in body.');
    const whatsapp = requirePort(ctx.ports, 'whatsapp');
    const from = await senderFor(ctx, agent);
    if (!template && !(await insideServiceWindow(ctx, agent.id, to))) {
      throw new DomainError(
        'TEMPLATE_REQUIRED',
        `${to} has not written to this agent in the last 24 hours: WhatsApp only allows an approved template now.`,
        'Send an approved template with templateId (and templateVars); free-form text is allowed again once they reply.',
        { to },
      );
    }
    return {
      from,
      to,
      body: body ?? (template ? `[template ${template.id}]` : ''),
      metadata: { ...(mediaUrls.length ? { mediaUrls } : {}), ...(template ? { templateId: template.id, templateVars: template.variables } : {}) },
      provider: whatsapp.id,
      fingerprint: ['whatsapp', to, body ?? null, mediaUrls, template ?? null],
      content: [body ?? '', ...Object.values(template?.variables ?? {})].join('\n'),
      extras: { body, mediaUrls, template },
    };
  },

  // A template opens a business-initiated conversation (billed); free-form replies inside the
  // customer-service window are free.
  meter(prepared) {
    return { units: prepared.extras.template ? 1 : 0, unit: 'conversation', contacts: [prepared.to] };
  },

  send(ctx, message, prepared) {
    const extras = prepared.extras as { body?: string; mediaUrls: string[]; template?: { id: string; variables: Record<string, string> } };
    return requirePort(ctx.ports, 'whatsapp').port.send({
      from: message.from,
      to: message.to,
      body: extras.body,
      mediaUrls: extras.mediaUrls.length ? extras.mediaUrls : undefined,
      template: extras.template,
      statusCallbackUrl: `${ctx.ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(message.agentId)}/whatsapp`,
      reference: message.id,
      requestId: ctx.requestId,
    });
  },
};
