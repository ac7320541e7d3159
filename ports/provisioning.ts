/**
 * Provisioning at the provider: phone numbers (search, buy, point webhooks, release) and email sending
 * domains (create, read, verify). Adapters that can do it expose `numbers` on their telephony port and
 * `domains` on their email port; core drives the lifecycle (journal, pool, reconciliation).
 *
 * Failures are `DomainError`s with the codes of the port they hang on (PROVIDER_REJECTED,
 * PROVIDER_AUTH_FAILED, RATE_LIMITED, PROVIDER_UNAVAILABLE, PROVIDER_TIMEOUT). A buy that times out may
 * or may not have bought the number: core looks the number up (`findOwned`) before it believes either.
 */

export interface NumberCapabilities {
  sms: boolean;
  voice: boolean;
  mms: boolean;
}

export interface NumberSearch {
  /** ISO 3166-1 alpha-2, upper case (`US`). */
  country: string;
  areaCode?: string;
  /** Only numbers that can do each capability set to true. */
  sms: boolean;
  voice: boolean;
  limit: number;
}

export interface AvailableNumber {
  phoneNumber: string;
  country: string;
  capabilities: NumberCapabilities;
}

/** Where the provider sends a number's traffic; null: not set at the provider. */
export interface NumberWebhooks {
  smsUrl: string | null;
  voiceUrl: string | null;
  /** Call progress of calls to the number (Twilio's StatusCallback). */
  statusCallbackUrl: string | null;
}

/** A number the account holds, as the provider sees it now. */
export interface OwnedNumber {
  /** The provider's id of the number (Twilio `PN…`). */
  providerRef: string;
  phoneNumber: string;
  webhooks: NumberWebhooks;
  capabilities: NumberCapabilities;
}

export interface NumberProvisioning {
  searchAvailable(search: NumberSearch): Promise<AvailableNumber[]>;
  /** Buys the number for the account; `label` is a friendly name that marks it as ours (no personal data). */
  buy(phoneNumber: string, label: string): Promise<OwnedNumber>;
  updateWebhooks(providerRef: string, webhooks: NumberWebhooks): Promise<OwnedNumber>;
  /** The number by the provider's id; null when the account no longer holds it. */
  fetch(providerRef: string): Promise<OwnedNumber | null>;
  /** The number by its E.164 form; null when the account does not hold it (how a crashed buy is settled). */
  findOwned(phoneNumber: string): Promise<OwnedNumber | null>;
  /** Gives the number back to the provider; a number already gone counts as released. */
  release(providerRef: string): Promise<void>;
}

/** One DNS record the operator must add for a sending domain. */
export interface DnsRecord {
  /** What it is for: SPF, DKIM, Receiving … */
  record: string;
  type: string;
  name: string;
  value: string;
  status: string;
  ttl: string | null;
  priority: number | null;
}

export interface EmailDomain {
  id: string;
  name: string;
  /** The provider's word: not_started, pending, verified, failed, partially_verified … */
  status: string;
  records: DnsRecord[];
}

export interface DomainProvisioning {
  /** The account's domain of that name, with its records; null when there is none. */
  findDomain(name: string): Promise<EmailDomain | null>;
  createDomain(name: string): Promise<EmailDomain>;
  /** Asks the provider to check the DNS records now (the answer comes later, in the domain's status). */
  verifyDomain(id: string): Promise<void>;
}

/**
 * A number this server holds or is buying. `buying`: the intent is recorded and the buy may or may not
 * have happened (settled by looking the number up at the provider); `owned`: held, for `agentId`, or a
 * spare of the pool when `agentId` is null; `releasing`: being given back (resumed until it is gone).
 */
export type NumberState = 'buying' | 'owned' | 'releasing';

export interface ProvisionedNumberRecord {
  id: string;
  /** Plugin id of the telephony adapter that bought it. */
  provider: string;
  country: string;
  phoneNumber: string;
  /** The provider's id; null until the buy is confirmed. */
  providerRef: string | null;
  state: NumberState;
  agentId: string | null;
  /** The provisioning operation that is buying or releasing it; null for the pool's own buys. */
  operationId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ProvisioningKind = 'provision' | 'deprovision';

/** A step of an operation, recorded once it completed: its name and what it settled (ids, no personal data). */
export interface ProvisioningStep {
  name: string;
  at: string;
  facts: Record<string, string | number | boolean | null>;
}

/** The journal of one provisioning or deprovisioning run of an agent, keyed by the caller's idempotency key. */
export interface ProvisioningOperationRecord {
  id: string;
  agentId: string;
  kind: ProvisioningKind;
  idempotencyKey: string;
  /** Fingerprint of the request, to refuse the key's reuse for another request. */
  requestHash: string;
  status: 'running' | 'completed' | 'failed';
  steps: ProvisioningStep[];
  /** The answer of a completed run, replayed to a retry. */
  result: Record<string, unknown> | null;
  errorCode: string | null;
  /** The run in progress holds the operation until then; a run that died leaves it to expire. */
  leaseUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProvisioningRepository {
  /** `CONFLICT` when the phone number is already recorded. */
  insertNumber(record: ProvisionedNumberRecord): Promise<void>;
  findNumber(id: string): Promise<ProvisionedNumberRecord | null>;
  /** The agent's numbers in any state, oldest first. */
  listAgentNumbers(agentId: string): Promise<ProvisionedNumberRecord[]>;
  /** Numbers in `state` whose last change is older than `updatedBefore` (left by a run that died), oldest first. */
  listStale(state: NumberState, updatedBefore: Date, limit: number): Promise<ProvisionedNumberRecord[]>;
  /** Spares of the pool (owned, no agent) of that provider and country. */
  countSpares(provider: string, country: string): Promise<number>;
  /** Hands the oldest spare of that provider and country to the agent, atomically; null when none was free. */
  takeSpare(provider: string, country: string, agentId: string, operationId: string, at: Date): Promise<ProvisionedNumberRecord | null>;
  updateNumber(id: string, patch: Partial<Pick<ProvisionedNumberRecord, 'state' | 'providerRef' | 'agentId' | 'operationId'>> & { updatedAt: Date }): Promise<void>;
  deleteNumber(id: string): Promise<void>;

  /** Inserts the operation unless the agent already has one of that kind and key; either way the stored one. */
  startOperation(record: ProvisioningOperationRecord): Promise<{ created: boolean; operation: ProvisioningOperationRecord }>;
  /** Takes the operation for a run until `leaseUntil`, if it is not completed and no live run holds it. */
  claimOperation(id: string, now: Date, leaseUntil: Date): Promise<boolean>;
  recordSteps(id: string, steps: ProvisioningStep[], updatedAt: Date): Promise<void>;
  /** Ends the run (completed or failed) and lets go of the lease. */
  finishOperation(id: string, patch: Pick<ProvisioningOperationRecord, 'status' | 'result' | 'errorCode' | 'updatedAt'>): Promise<void>;
}
