import { DomainError } from '../../ports/errors.js';
import type { CreatedSubaccount, ProviderAccountsPort } from '../../ports/customers.js';
import type { ProviderCredentialRecord } from '../../ports/provider-credentials.js';
import type { UseCaseContext } from '../context.js';
import { sealCredentials } from '../providers/sealed-credentials.js';

/** The subaccount API of the telephony provider, or SUBACCOUNTS_UNAVAILABLE. */
export function requireProviderAccounts(ctx: UseCaseContext): ProviderAccountsPort {
  const accounts = ctx.ports.providerAccounts;
  if (!accounts || !ctx.ports.telephony) {
    throw new DomainError('SUBACCOUNTS_UNAVAILABLE', 'The configured telephony provider cannot create subaccounts.',
      'Configure telephony: twilio with the main account\'s credentials, or use isolation "shared".', { telephony: ctx.ports.telephony?.id ?? null });
  }
  return accounts;
}

/**
 * Creates a subaccount at the provider and stores its credentials, sealed, as the set `name` owned by
 * `customerId`: returns the subaccount's id. The provider call comes first and outside any transaction; if
 * storing then fails, the fresh subaccount is closed again so none is left behind unrecorded.
 */
export async function openSubaccount(ctx: UseCaseContext, name: string, customerId: string, friendlyName: string): Promise<string> {
  const accounts = requireProviderAccounts(ctx);
  const { db, ids, clock, credentialCipher } = ctx.ports;
  credentialCipher.currentKeyId(); // a missing key is refused before anything is created at the provider
  const created: CreatedSubaccount = await accounts.createSubaccount(friendlyName);
  const id = ids.next('prv');
  const now = clock.now();
  const record: ProviderCredentialRecord = {
    id, name, provider: ctx.ports.telephony!.id, port: 'telephony', ownerId: customerId,
    sealed: sealCredentials(credentialCipher, id, name, created.credentials),
    verifiedDetail: `subaccount ${created.accountId} created`, verifiedAt: now, createdAt: now, updatedAt: now,
  };
  try {
    await db.providerCredentials.insert(record);
  } catch (err) {
    await accounts.closeSubaccount(created.accountId).catch((closeErr: unknown) =>
      ctx.ports.logger.error({ err: closeErr, account: created.accountId }, 'closing a subaccount whose credentials could not be stored failed'));
    throw err;
  }
  return created.accountId;
}
