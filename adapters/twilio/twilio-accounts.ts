import type twilio from 'twilio';
import type { CreatedSubaccount, ProviderAccountsPort } from '../../ports/customers.js';
import type { DomainError } from '../../ports/errors.js';
import type { ResolvedTwilioOptions } from './twilio-options.js';

/**
 * Subaccounts through Twilio's Accounts API (v2010), with the main account's credentials: create one per
 * customer or agent, close it on deprovision. A subaccount's credentials are its SID and auth token, with
 * the main account's endpoint and timeout, so an adapter built from them alone reaches the same API.
 */
export class TwilioAccounts implements ProviderAccountsPort {
  constructor(
    private readonly client: twilio.Twilio,
    private readonly options: Pick<ResolvedTwilioOptions, 'baseUrl' | 'timeoutMs'>,
    private readonly toDomainError: (err: unknown) => DomainError,
  ) {}

  async createSubaccount(friendlyName: string): Promise<CreatedSubaccount> {
    try {
      const account = await this.client.api.v2010.accounts.create({ friendlyName });
      return {
        accountId: account.sid,
        credentials: { accountSid: account.sid, authToken: account.authToken, baseUrl: this.options.baseUrl, timeoutMs: this.options.timeoutMs },
      };
    } catch (err) {
      throw this.toDomainError(err);
    }
  }

  async closeSubaccount(accountId: string): Promise<void> {
    try {
      await this.client.api.v2010.accounts(accountId).update({ status: 'closed' });
    } catch (err) {
      throw this.toDomainError(err);
    }
  }
}
