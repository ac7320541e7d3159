import type twilio from 'twilio';
import type { ResolvedTwilioOptions } from './twilio-options.js';

/**
 * An authenticated read that costs nothing. With the auth token: the Account resource. With an API key:
 * the account's Balance, because standard API keys may not read the Accounts (or Keys) resource itself.
 * Twilio refuses either with 20003 when the credentials are wrong; no secret is in the description.
 */
export async function checkTwilioCredentials(client: twilio.Twilio, options: ResolvedTwilioOptions): Promise<string> {
  if (options.rest.kind === 'api-key') {
    const balance = await client.api.v2010.accounts(options.accountSid).balance.fetch();
    return `API key ${options.rest.username.slice(0, 6)}… reads account ${balance.accountSid.slice(0, 6)}…`;
  }
  const account = await client.api.v2010.accounts(options.accountSid).fetch();
  return `account ${account.sid.slice(0, 6)}… is ${account.status}`;
}
