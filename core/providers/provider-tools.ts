import { DomainError, isDomainError } from '../../ports/errors.js';
import type { ProviderCredentialRecord, VerifiedCredentials } from '../../ports/provider-credentials.js';
import { requireAdmin } from '../auth/authenticate.js';
import { customerScope } from '../auth/tenancy.js';
import type { UseCaseContext } from '../context.js';
import { actorOf, audited, recordAudit } from '../audit/record-audit.js';
import { defineUseCase } from '../use-case.js';
import { sealCredentials } from './sealed-credentials.js';
import { notAvailableToCustomer, outsideCallerCustomer } from '../customers/address-availability.js';

/** A stored credential set as the tools show it: never the credentials, not even which fields they hold. */
export interface ProviderView {
  name: string;
  provider: string;
  port: string;
  customerId: string | null;
  /** What the provider answered to the check (`account AC12… is active`), no secret. */
  verified: string;
  verifiedAt: string;
  createdAt: string;
}

const NAME = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'Lower-case letters, digits, `.`, `_`, `-`; what config refers to as credentialsRef.' } as const;
const PORTS = ['telephony', 'email', 'whatsapp', 'tts', 'stt', 'brain', 'storage'] as const;

const providerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'provider', 'port', 'customerId', 'verified', 'verifiedAt', 'createdAt'],
  properties: {
    name: { type: 'string' },
    provider: { type: 'string' },
    port: { type: 'string' },
    customerId: { type: ['string', 'null'] },
    verified: { type: 'string' },
    verifiedAt: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

function view(record: ProviderCredentialRecord): ProviderView {
  return {
    name: record.name,
    provider: record.provider,
    port: record.port,
    customerId: record.ownerId,
    verified: record.verifiedDetail,
    verifiedAt: record.verifiedAt.toISOString(),
    createdAt: record.createdAt.toISOString(),
  };
}

interface RegisterInput {
  name: string;
  provider: string;
  port?: (typeof PORTS)[number];
  credentials: Record<string, unknown>;
  customerId?: string;
}

export const registerProvider = defineUseCase<RegisterInput, ProviderView>({
  name: 'comms_register_provider',
  title: 'Register provider credentials',
  description:
    'Admin only. Store a named set of provider credentials (e.g. a Twilio account SID with its auth token or an API key) ' +
    'after checking them with the provider through a free authenticated read (nothing is sent or bought). `credentials` ' +
    'are the options of that provider\'s adapter, as in the config file (docs/PROVIDERS.md). They are encrypted at rest ' +
    '(AES-256-GCM under COMMS_CREDENTIALS_KEY) and never shown again: the config refers to them by name (credentialsRef).',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'provider', 'credentials'],
    properties: {
      name: NAME,
      provider: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'The built-in adapter: twilio, vonage, resend, sendgrid, smtp, elevenlabs …' },
      port: { type: 'string', enum: [...PORTS], description: 'Which of the provider\'s adapters checks them, when it has several (twilio: telephony or whatsapp). Default: the first it has, in this order.' },
      credentials: { type: 'object', minProperties: 1, description: 'The adapter\'s options (credentials, and endpoint if not the default).' },
      customerId: { type: 'string', minLength: 1, maxLength: 64, description: 'The customer these credentials belong to (for tenants); omit for the operator\'s own.' },
    },
  },
  output: providerSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/providers', successStatus: 201 },
  async run(ctx, input) {
    requireAdmin(ctx);
    const ownerId = ownerFor(ctx, input.customerId);
    const { ids, clock, credentialCipher, providerVerifier } = ctx.ports;
    const id = ids.next('prv');
    const facts = { action: 'provider.register', targets: { name: input.name, provider: input.provider, credentialId: id } };
    let verified: VerifiedCredentials;
    try {
      // A taken name or a missing key is refused before the provider is called: no round trip for nothing.
      await requireNameFree(ctx, input.name);
      credentialCipher.currentKeyId();
      // Outside any transaction: a provider round trip must not hold the database's writer.
      verified = await providerVerifier.verify({ provider: input.provider, port: input.port, credentials: input.credentials });
    } catch (err) {
      await recordAudit(ctx.ports, actorOf(ctx.caller), facts, isDomainError(err) ? err.code : 'INTERNAL', ctx.requestId);
      throw err;
    }
    const now = clock.now();
    const record: ProviderCredentialRecord = {
      id, name: input.name, provider: verified.provider, port: verified.port, ownerId,
      sealed: sealCredentials(credentialCipher, id, input.name, input.credentials),
      verifiedDetail: verified.detail, verifiedAt: now, createdAt: now, updatedAt: now,
    };
    await audited(ctx, { ...facts, targets: { ...facts.targets, port: verified.port } }, async (tx) => {
      await tx.providerCredentials.insert(record);
      return { result: undefined };
    });
    return view(record);
  },
});

/** The customer a registered set belongs to: a customer admin's own, whatever it asked; the operator's choice otherwise. */
function ownerFor(ctx: UseCaseContext, requested: string | undefined): string | null {
  const scope = customerScope(ctx.caller);
  if (scope === undefined) return requested ?? null;
  if (requested !== undefined && requested !== scope) {
    throw new DomainError('FORBIDDEN', 'A customer admin token registers credentials for its own customer only.', 'Leave customerId out.', { field: 'customerId' });
  }
  return scope;
}

/**
 * Names the server gives the sets it stores itself (subaccounts: `customer-<id>`, `agent-<id>`; the setup wizard's
 * `setup-<channel>`): a customer admin never registers one, so such a name tells it nothing about who exists.
 */
const SERVER_NAMES = /^(customer|agent|setup)-/;

/**
 * CONFLICT when the name is taken by a set the caller may see. A customer admin asking for a name another customer
 * or the operator holds, or one of the server's own, gets the answer of an invalid request instead, the same in
 * every case: whether another customer exists is not its business.
 */
async function requireNameFree(ctx: UseCaseContext, name: string): Promise<void> {
  const scope = customerScope(ctx.caller);
  if (scope !== undefined && SERVER_NAMES.test(name)) throw notAvailableToCustomer('name');
  const existing = await ctx.ports.db.providerCredentials.findByName(name);
  if (!existing) return;
  if (outsideCallerCustomer(ctx, existing.ownerId)) throw notAvailableToCustomer('name');
  throw nameTaken(name);
}

function nameTaken(name: string): DomainError {
  return new DomainError('CONFLICT', `A credential set named "${name}" is already registered.`,
    'Choose another name, or remove the stored set first (comms_remove_provider).', { name });
}

export const listProviders = defineUseCase<Record<string, never>, { providers: ProviderView[] }>({
  name: 'comms_list_providers',
  title: 'List stored provider credentials',
  description: 'Admin only. Every stored credential set (a customer admin: its own): its name, provider, port, customer and when it was verified. Never the credentials.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: { type: 'object', additionalProperties: false, required: ['providers'], properties: { providers: { type: 'array', items: providerSchema } } },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'GET', path: '/providers' },
  async run(ctx) {
    requireAdmin(ctx);
    const scope = customerScope(ctx.caller);
    const all = await ctx.ports.db.providerCredentials.list();
    return { providers: all.filter((record) => scope === undefined || record.ownerId === scope).map(view) };
  },
});

export const removeProvider = defineUseCase<{ name: string }, { name: string; removed: true }>({
  name: 'comms_remove_provider',
  title: 'Remove stored provider credentials',
  description:
    'Admin only. Delete a stored credential set for good. A config section that refers to it (credentialsRef) fails at the ' +
    'next start; the provider account itself is not touched (revoke the key in the provider\'s console too if it leaked).',
  input: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: NAME } },
  output: {
    type: 'object', additionalProperties: false, required: ['name', 'removed'],
    properties: { name: { type: 'string' }, removed: { type: 'boolean', const: true } },
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'DELETE', path: '/providers/:name' },
  async run(ctx, input) {
    requireAdmin(ctx);
    await audited(ctx, { action: 'provider.remove', targets: { name: input.name } }, async (tx) => {
      const record = await tx.providerCredentials.findByName(input.name);
      const scope = customerScope(ctx.caller);
      // Another customer's set is answered as absent.
      if (!record || (scope !== undefined && record.ownerId !== scope) || !(await tx.providerCredentials.remove(input.name))) {
        throw new DomainError('NOT_FOUND', `No credential set named "${input.name}" is stored.`, 'List them with comms_list_providers.', { name: input.name });
      }
      return { result: undefined, targets: { credentialId: record.id, provider: record.provider } };
    });
    return { name: input.name, removed: true };
  },
});
