import { actorOf, recordAudit } from '../audit/record-audit.js';
import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { normaliseAddress, newChannel } from '../agents/agent-channels.js';
import { isDomainError } from '../../ports/errors.js';
import type { DnsRecord } from '../../ports/provisioning.js';
import { defineUseCase } from '../use-case.js';
import { acquireNumber, type NumberSource } from './acquire-number.js';
import { assignWhatsAppSender } from './assign-whatsapp.js';
import type { NumberActor } from './buy-number.js';
import { ensureEmailDomain } from './email-domain.js';
import { runJournaled } from './journal.js';
import { expectedWebhooks } from './number-webhooks.js';
import { pointWebhooks } from './point-webhooks.js';
import { agentNumberAccount } from './agent-number-provider.js';
import { emailDomainSchema, IDEMPOTENCY_KEY, webhooksSchema } from './provisioning-schemas.js';

interface ProvisionInput {
  agentId: string;
  idempotencyKey: string;
  sms?: boolean;
  voice?: boolean;
  whatsapp?: boolean;
  email?: string;
  country?: string;
  areaCode?: string;
}

interface ProvisionResult extends Record<string, unknown> {
  agentId: string;
  number: { numberId: string; phoneNumber: string; country: string; source: NumberSource; webhooks: ReturnType<typeof expectedWebhooks> } | null;
  whatsapp: { senderId: string; address: string } | null;
  email: { address: string; domain: string; domainId: string; status: string; records: DnsRecord[] } | null;
  steps: string[];
}

export const provisionChannels = defineUseCase<ProvisionInput, ProvisionResult & { operationId: string; resumed: boolean }>({
  name: 'comms_provision_channels',
  title: 'Provision an agent\'s channels',
  description:
    'Admin only (a customer admin: its own agents). Give an agent its channels at the providers: a phone number for SMS and voice (a spare of the pool, ' +
    'else one bought: this costs money; an agent whose customer has its own provider account gets one bought in that account), its SMS, voice and status webhooks pointed at this server, a WhatsApp sender ' +
    'from the pool, and its email address (the sending domain is created or reused; publish the DNS records returned). ' +
    'Each step is recorded as it completes: a retry with the same idempotencyKey resumes where a failure stopped, and never buys a second number.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'idempotencyKey'],
    properties: {
      agentId: { type: 'string', minLength: 1 },
      idempotencyKey: IDEMPOTENCY_KEY,
      sms: { type: 'boolean', default: true, description: 'A number that takes SMS (default true).' },
      voice: { type: 'boolean', default: true, description: 'A number that takes calls (default true).' },
      whatsapp: { type: 'boolean', default: false, description: 'Dedicate a WhatsApp sender of the pool to the agent.' },
      email: { type: 'string', minLength: 3, maxLength: 320, description: 'The agent\'s email address; its domain is created at the provider if the account has not got it.' },
      country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'Country of the number (ISO 3166-1 alpha-2); default: provisioning.country.' },
      areaCode: { type: 'string', pattern: '^[0-9]{2,5}$', description: 'Area code of the number: then a number is searched and bought (spares have any area code).' },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'operationId', 'resumed', 'number', 'whatsapp', 'email', 'steps'],
    properties: {
      agentId: { type: 'string' },
      operationId: { type: 'string' },
      resumed: { type: 'boolean', description: 'True when this call went on from an earlier run that failed or died.' },
      number: {
        type: ['object', 'null'], additionalProperties: false, required: ['numberId', 'phoneNumber', 'country', 'source', 'webhooks'],
        properties: {
          numberId: { type: 'string' }, phoneNumber: { type: 'string' }, country: { type: 'string' },
          source: { type: 'string', enum: ['existing', 'pool', 'bought'] }, webhooks: webhooksSchema,
        },
      },
      whatsapp: {
        type: ['object', 'null'], additionalProperties: false, required: ['senderId', 'address'],
        properties: { senderId: { type: 'string' }, address: { type: 'string' } },
      },
      email: emailDomainSchema,
      steps: { type: 'array', items: { type: 'string' }, description: 'The steps completed, in order.' },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/agents/:agentId/provision' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    const { ports } = ctx;
    const wantsNumber = input.sms !== false || input.voice !== false;
    const email = input.email === undefined ? null : normaliseAddress(ctx, 'email', 'email', input.email);
    // The agent's own account when it has one (its customer's subaccount or registered credentials).
    const account = wantsNumber ? await agentNumberAccount(ports, agent) : null;
    const wish = { country: input.country ?? ports.settings.provisioning.country, areaCode: input.areaCode, sms: input.sms !== false, voice: input.voice !== false };
    const actor: NumberActor = { ports, who: actorOf(ctx.caller), requestId: ctx.requestId };
    const facts = { action: 'channels.provision', agentId: agent.id };
    try {
      const result = await runJournaled(ctx, 'provision', agent.id, input.idempotencyKey, { ...input, email }, async (run) => {
        const answer: ProvisionResult = { agentId: agent.id, number: null, whatsapp: null, email: null, steps: [] };
        if (account) {
          const { provider } = account;
          const acquired = await acquireNumber(actor, account, agent.id, run.operation.id, wish, () => ports.notifyPoolDrawn());
          await run.step('number', async () => ({ numberId: acquired.number.id, source: acquired.source }));
          const source = (run.steps.find((s) => s.name === 'number')?.facts.source ?? acquired.source) as NumberSource;
          await run.step('webhooks', async () => {
            await pointWebhooks(actor, provider, acquired.number, agent.id);
            return { numberId: acquired.number.id };
          });
          await run.step('sms-channel', async () => {
            await ports.db.agents.setChannel(newChannel(ctx, agent.id, 'sms', acquired.number.phoneNumber));
            return { numberId: acquired.number.id };
          });
          answer.number = {
            numberId: acquired.number.id, phoneNumber: acquired.number.phoneNumber, country: acquired.number.country, source,
            webhooks: expectedWebhooks(ports.settings.publicBaseUrl, agent.id),
          };
        }
        if (input.whatsapp) {
          const sender = await assignWhatsAppSender(ports, agent.id);
          await run.step('whatsapp', async () => ({ senderId: sender.id }));
          answer.whatsapp = { senderId: sender.id, address: sender.address };
        }
        if (email) {
          const domain = await ensureEmailDomain(ports, email);
          await run.step('email-domain', async () => ({ domainId: domain.id }));
          await run.step('email-channel', async () => {
            await ports.db.agents.setChannel(newChannel(ctx, agent.id, 'email', email));
            return { domainId: domain.id };
          });
          answer.email = { address: email, domain: domain.name, domainId: domain.id, status: domain.status, records: domain.records };
        }
        answer.steps = run.steps.map((s) => s.name);
        return answer;
      });
      await recordAudit(ports, actorOf(ctx.caller), { ...facts, targets: { operationId: result.operationId } }, 'ok', ctx.requestId);
      return result;
    } catch (err) {
      await recordAudit(ports, actorOf(ctx.caller), facts, isDomainError(err) ? err.code : 'INTERNAL', ctx.requestId);
      throw err;
    }
  },
});
