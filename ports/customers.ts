/**
 * Customers (tenants): an operator serves several customers, each owning agents. A customer's admin token
 * manages only its own agents; the operator's admin token manages all.
 */

/**
 * Whose provider account a customer's agents use: the operator's (`shared`), one Twilio subaccount for the
 * customer (`subaccount`), or one subaccount per agent (`per-agent`).
 */
export const ISOLATION_MODES = ['shared', 'subaccount', 'per-agent'] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

export interface CustomerRecord {
  id: string;
  name: string;
  isolation: IsolationMode;
  /** `closed`: its token no longer works and its subaccounts are closed at the provider. */
  status: 'active' | 'closed';
  /** Hex SHA-256 of the customer admin token; null until one is issued. The token itself is never stored. */
  adminTokenHash: string | null;
  /** The customer's provider subaccount (`AC…`) in `subaccount` isolation; null otherwise. */
  providerAccount: string | null;
  /** Name of the stored credential set of that subaccount (see ports/provider-credentials.ts). */
  credentialsRef: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CustomerRepository {
  /** `CONFLICT` when the id is taken. */
  insert(customer: CustomerRecord): Promise<void>;
  findById(id: string): Promise<CustomerRecord | null>;
  findByTokenHash(tokenHash: string): Promise<CustomerRecord | null>;
  /** Every customer, oldest first. */
  list(): Promise<CustomerRecord[]>;
  /**
   * The stored credential set that acts as the provider (sub)account `providerAccount`: a `subaccount` customer's, or
   * a `per-agent` agent's; null when no customer or agent has that account. One indexed lookup: webhooks of
   * subaccounts are matched to their signing secret with it before their signature is checked.
   */
  credentialsOfAccount(providerAccount: string): Promise<string | null>;
  /** `NOT_FOUND` when there is no such customer. */
  update(id: string, patch: Partial<Pick<CustomerRecord, 'name' | 'status' | 'adminTokenHash' | 'providerAccount' | 'credentialsRef'>> & { updatedAt: Date }): Promise<void>;
}

/** A provider account created for a customer or an agent, with the credentials that act as it. */
export interface CreatedSubaccount {
  /** The subaccount's id at the provider (Twilio `AC…`). */
  accountId: string;
  /** The adapter options that act as it (for Twilio: accountSid and authToken), to be stored sealed. */
  credentials: Record<string, unknown>;
}

/**
 * Subaccounts at the provider (Twilio's Accounts API), for customers and agents isolated in their own
 * account. Closing is final at the provider: release the account's numbers before (see docs/TENANTS.md).
 */
export interface ProviderAccountsPort {
  createSubaccount(friendlyName: string): Promise<CreatedSubaccount>;
  /** Sets the subaccount's status to closed; closing one already closed is not an error. */
  closeSubaccount(accountId: string): Promise<void>;
}

/** A number several agents answer on (their `sharedNumber`), and who gets contacts none of them talked with. */
export interface SharedNumberRecord {
  /** E.164. */
  address: string;
  /** The customer whose agents share it; null: the operator's. */
  customerId: string | null;
  /** Gets inbound messages from contacts no member talked with yet; null: those are refused. */
  defaultAgentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SharedNumberRepository {
  /** Inserts or replaces the record of `record.address`. */
  save(record: SharedNumberRecord): Promise<void>;
  find(address: string): Promise<SharedNumberRecord | null>;
}
