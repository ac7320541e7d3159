import { ISOLATION_MODES, type CustomerRecord } from '../../ports/customers.js';

export interface CustomerView {
  customerId: string;
  name: string;
  isolation: CustomerRecord['isolation'];
  status: CustomerRecord['status'];
  /** Whether an admin token was issued (the token itself is never shown again). */
  hasAdminToken: boolean;
  /** The provider subaccount in `subaccount` isolation. */
  providerAccount: string | null;
  createdAt: string;
}

export function toCustomerView(customer: CustomerRecord): CustomerView {
  return {
    customerId: customer.id,
    name: customer.name,
    isolation: customer.isolation,
    status: customer.status,
    hasAdminToken: customer.adminTokenHash !== null,
    providerAccount: customer.providerAccount,
    createdAt: customer.createdAt.toISOString(),
  };
}

export const customerViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'name', 'isolation', 'status', 'hasAdminToken', 'providerAccount', 'createdAt'],
  properties: {
    customerId: { type: 'string' },
    name: { type: 'string' },
    isolation: { type: 'string', enum: [...ISOLATION_MODES] },
    status: { type: 'string', enum: ['active', 'closed'] },
    hasAdminToken: { type: 'boolean' },
    providerAccount: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;
