import { DomainError } from '../../ports/errors.js';
import { ISOLATION_MODES, type CustomerRecord, type IsolationMode } from '../../ports/customers.js';
import { CUSTOMER_TOKEN_PREFIX, requireAdmin } from '../auth/authenticate.js';
import { customerScope, requireOperator } from '../auth/tenancy.js';
import { audited } from '../audit/record-audit.js';
import type { UseCaseContext } from '../context.js';
import { defineUseCase } from '../use-case.js';
import { closeCustomerAccounts } from './close-customer.js';
import { type CustomerView, customerViewSchema, toCustomerView } from './customer-view.js';
import { openSubaccount } from './subaccounts.js';

const CUSTOMER_ID = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** Name of the stored credential set of a customer's subaccount (lower case: credential set names are). */
export const customerCredentialsName = (customerId: string): string => `customer-${customerId.toLowerCase()}`;

/** The customer, for the operator or for that customer's own admin; NOT_FOUND otherwise (as if absent). */
export async function visibleCustomer(ctx: UseCaseContext, customerId: string): Promise<CustomerRecord> {
  const scope = customerScope(ctx.caller);
  const customer = scope === undefined || scope === customerId ? await ctx.ports.db.customers.findById(customerId) : null;
  if (!customer) throw new DomainError('NOT_FOUND', `Customer ${customerId} does not exist.`, 'Check the customerId (comms_list_customers).', { customerId });
  return customer;
}

interface CreateCustomerInput { name: string; isolation?: IsolationMode; issueToken?: boolean }
type CreatedCustomer = CustomerView & { adminToken: string | null };

export const createCustomer = defineUseCase<CreateCustomerInput, CreatedCustomer>({
  name: 'comms_create_customer',
  title: 'Create a customer',
  description:
    'Operator only. Create a customer (tenant) that owns agents, with its isolation mode: `shared` (the operator\'s provider ' +
    'account), `subaccount` (a Twilio subaccount for the customer, created now, its credentials stored encrypted) or ' +
    '`per-agent` (a subaccount per agent, created with each agent). Returns the customer admin token once: it manages only ' +
    'this customer\'s agents.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      isolation: { type: 'string', enum: [...ISOLATION_MODES], default: 'shared' },
      issueToken: { type: 'boolean', default: true, description: 'Issue the customer admin token now (else later with comms_rotate_customer_token).' },
    },
  },
  output: {
    ...customerViewSchema,
    required: [...customerViewSchema.required, 'adminToken'],
    properties: { ...customerViewSchema.properties, adminToken: { type: ['string', 'null'], description: 'Shown once.' } },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/customers', successStatus: 201 },
  async run(ctx, input) {
    requireOperator(ctx, 'comms_create_customer');
    const { ids, clock, secrets } = ctx.ports;
    const name = input.name.trim();
    if (name === '') throw new DomainError('INVALID_INPUT', 'name must not be empty.', 'Give the customer a name.', { field: 'name' });
    const isolation = input.isolation ?? 'shared';
    const id = ids.next('cus');
    const token = input.issueToken === false ? null : secrets.generate(CUSTOMER_TOKEN_PREFIX);
    // The subaccount first (a provider call, outside the transaction); it is closed again if storing fails.
    const credentialsRef = isolation === 'subaccount' ? customerCredentialsName(id) : null;
    const providerAccount = credentialsRef ? await openSubaccount(ctx, credentialsRef, id, `agentos-comms ${id}`) : null;
    const now = clock.now();
    const customer: CustomerRecord = {
      id, name, isolation, status: 'active', adminTokenHash: token ? secrets.hash(token) : null, providerAccount, credentialsRef, createdAt: now, updatedAt: now,
    };
    await audited(ctx, { action: 'customer.create', targets: { customerId: id, isolation } }, async (tx) => {
      await tx.customers.insert(customer);
      return { result: undefined };
    });
    return { ...toCustomerView(customer), adminToken: token };
  },
});

export const listCustomers = defineUseCase<Record<string, never>, { customers: CustomerView[] }>({
  name: 'comms_list_customers',
  title: 'List customers',
  description: 'Operator only. Every customer, oldest first, with its isolation mode and status. Never tokens or credentials.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: { type: 'object', additionalProperties: false, required: ['customers'], properties: { customers: { type: 'array', items: customerViewSchema } } },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'GET', path: '/customers' },
  async run(ctx) {
    requireOperator(ctx, 'comms_list_customers');
    return { customers: (await ctx.ports.db.customers.list()).map(toCustomerView) };
  },
});

export const getCustomer = defineUseCase<{ customerId: string }, CustomerView>({
  name: 'comms_get_customer',
  title: 'Get a customer',
  description: 'Admin only (a customer admin: its own customer). The customer\'s name, isolation mode, status and subaccount.',
  input: { type: 'object', additionalProperties: false, required: ['customerId'], properties: { customerId: CUSTOMER_ID } },
  output: customerViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'GET', path: '/customers/:customerId' },
  async run(ctx, input) {
    requireAdmin(ctx);
    return toCustomerView(await visibleCustomer(ctx, input.customerId));
  },
});

export const rotateCustomerToken = defineUseCase<{ customerId: string }, { customerId: string; adminToken: string }>({
  name: 'comms_rotate_customer_token',
  title: 'Issue or rotate a customer admin token',
  description:
    'Admin only (a customer admin: its own). Give the customer a new admin token; the old one stops working at once. ' +
    'The new token is returned once and cannot be shown again (only its hash is stored).',
  input: { type: 'object', additionalProperties: false, required: ['customerId'], properties: { customerId: CUSTOMER_ID } },
  output: {
    type: 'object', additionalProperties: false, required: ['customerId', 'adminToken'],
    properties: { customerId: { type: 'string' }, adminToken: { type: 'string' } },
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/customers/:customerId/token' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const customer = await visibleCustomer(ctx, input.customerId);
    if (customer.status !== 'active') throw customerClosed(customer.id);
    const token = ctx.ports.secrets.generate(CUSTOMER_TOKEN_PREFIX);
    await audited(ctx, { action: 'customer.token.rotate', targets: { customerId: customer.id } }, async (tx) => {
      await tx.customers.update(customer.id, { adminTokenHash: ctx.ports.secrets.hash(token), updatedAt: ctx.ports.clock.now() });
      return { result: undefined };
    });
    return { customerId: customer.id, adminToken: token };
  },
});

export const closeCustomer = defineUseCase<{ customerId: string }, CustomerView & { closedAccounts: number }>({
  name: 'comms_close_customer',
  title: 'Close a customer',
  description:
    'Operator only. Close a customer for good: its admin token stops working, its agents are disabled and its provider ' +
    'subaccounts (the customer\'s and its agents\') are closed at the provider. Release its numbers first ' +
    '(comms_deprovision_channels): a closed subaccount\'s numbers go with it.',
  input: { type: 'object', additionalProperties: false, required: ['customerId'], properties: { customerId: CUSTOMER_ID } },
  output: {
    ...customerViewSchema,
    required: [...customerViewSchema.required, 'closedAccounts'],
    properties: { ...customerViewSchema.properties, closedAccounts: { type: 'integer', description: 'Subaccounts closed at the provider.' } },
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  confirmation: { byDefault: true, target: 'customerId' },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/customers/:customerId/close' },
  async run(ctx, input) {
    requireOperator(ctx, 'comms_close_customer');
    const customer = await visibleCustomer(ctx, input.customerId);
    const closedAccounts = await closeCustomerAccounts(ctx, customer);
    const now = ctx.ports.clock.now();
    await audited(ctx, { action: 'customer.close', targets: { customerId: customer.id, closedAccounts } }, async (tx) => {
      for (const agent of await tx.agents.list({ customerId: customer.id })) {
        if (agent.status === 'active') await tx.agents.update(agent.id, { status: 'disabled', updatedAt: now });
      }
      await tx.customers.update(customer.id, { status: 'closed', adminTokenHash: null, updatedAt: now });
      return { result: undefined };
    });
    return { ...toCustomerView({ ...customer, status: 'closed', adminTokenHash: null }), closedAccounts };
  },
});

export function customerClosed(customerId: string): DomainError {
  return new DomainError('CONFLICT', `Customer ${customerId} is closed.`, 'Create a new customer; a closed one cannot be reopened.', { customerId });
}
