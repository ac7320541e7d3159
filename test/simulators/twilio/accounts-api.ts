import { randomBytes } from 'node:crypto';
import { firstValue, type FormParams } from './form-params.js';
import type { Authenticated } from './keys-api.js';
import type { ApiAnswer } from './messages-api.js';
import type { SimulatedAccount } from './simulated-account.js';
import { twilioErrors } from './twilio-error-body.js';
import { METHOD_NOT_ALLOWED } from './simulated-voice.js';

/** A subaccount of the simulated account, created through the Accounts resource. */
export interface SimulatedSubaccount {
  sid: string;
  authToken: string;
  friendlyName: string;
  status: 'active' | 'suspended' | 'closed';
  created: Date;
  updated: Date;
}

const ACCOUNTS_PATH = /^\/2010-04-01\/Accounts\.json$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;
export const SPEC_ACCOUNTS = '/2010-04-01/Accounts.json';
export const SPEC_ACCOUNT = '/2010-04-01/Accounts/{Sid}.json';

const rfc2822 = (at: Date) => at.toUTCString().replace('GMT', '+0000');

/**
 * The Accounts resource of API v2010: create a subaccount (`POST /Accounts.json`, answered with its SID and
 * auth token), fetch the account or a subaccount, and update a subaccount's status (`closed` is final). As
 * on Twilio, only the main account's own credentials create or close subaccounts; a subaccount
 * authenticates with its SID and auth token and sees only itself; a closed one authenticates no more.
 */
export class SimulatedSubaccounts {
  readonly accounts = new Map<string, SimulatedSubaccount>();
  /** Numbers moved into a subaccount, with its SID: their webhooks are the subaccount's, signed with its token. */
  private readonly holders = new Map<string, string>();

  constructor(private readonly account: SimulatedAccount, private readonly now: () => Date) {}

  /**
   * Moves one of the account's numbers into a subaccount, as the console or an IncomingPhoneNumber update with
   * `AccountSid` does: from then on its SMS and voice webhooks come from the subaccount, signed with its auth token.
   */
  transferNumber(number: string, subaccountSid: string): void {
    if (!this.accounts.has(subaccountSid)) throw new Error(`No subaccount ${subaccountSid}`);
    this.holders.set(number, subaccountSid);
  }

  /** The SID of the account holding `number`: a subaccount it was moved to, else the main account. */
  holderOf(number: string): string {
    return this.holders.get(number) ?? this.account.accountSid;
  }

  /** The auth token that signs `accountSid`'s webhooks (the main account's for any SID not a subaccount's). */
  tokenOf(accountSid: string): string {
    return this.accounts.get(accountSid)?.authToken ?? this.account.authToken;
  }

  /** A subaccount's `Authorization: Basic …`, or null. */
  authenticate(authorization: string | undefined): Authenticated | null {
    if (!authorization?.startsWith('Basic ')) return null;
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const sub = this.accounts.get(decoded.slice(0, colon));
    return sub && sub.status !== 'closed' && sub.authToken === decoded.slice(colon + 1) ? { as: 'subaccount', accountSid: sub.sid } : null;
  }

  /** Requests for the Accounts resource; null for other paths. */
  route(method: string, path: string, params: FormParams, auth: Authenticated): ApiAnswer | null {
    const list = ACCOUNTS_PATH.test(path);
    const single = ACCOUNT_PATH.exec(path);
    if (!list && !single) return null;
    if (list) {
      if (auth.as !== 'account') return { status: 401, body: twilioErrors.authenticate() };
      if (method === 'POST') {
        const at = this.now();
        const sub: SimulatedSubaccount = {
          sid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'),
          friendlyName: firstValue(params, 'FriendlyName') ?? `SubAccount Created at ${rfc2822(at)}`, status: 'active', created: at, updated: at,
        };
        this.accounts.set(sub.sid, sub);
        return { status: 201, body: this.resource(sub, true) };
      }
      if (method === 'GET') {
        const accounts = [...this.accounts.values()].map((sub) => this.resource(sub, false));
        return { status: 200, body: { accounts, first_page_uri: path, next_page_uri: null, previous_page_uri: null, page: 0, page_size: 50, start: 0, end: accounts.length, uri: path } };
      }
      return METHOD_NOT_ALLOWED;
    }
    const sid = single?.[1] ?? '';
    // The main account's own resource is answered by the simulator itself.
    if (sid === this.account.accountSid) return null;
    const sub = this.accounts.get(sid);
    const visible = sub && (auth.as === 'account' || (auth.as === 'subaccount' && auth.accountSid === sid));
    if (!sub || !visible) return { status: 404, body: twilioErrors.notFound(path) };
    if (method === 'GET') return { status: 200, body: this.resource(sub, false) };
    if (method !== 'POST') return METHOD_NOT_ALLOWED;
    if (auth.as !== 'account') return { status: 401, body: twilioErrors.authenticate() };
    const status = firstValue(params, 'Status');
    if (status !== undefined) {
      if (!['active', 'suspended', 'closed'].includes(status)) return { status: 400, body: { code: 20001, message: `Invalid Status ${status}`, more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 } };
      // Closed is final: Twilio does not reopen a closed account.
      if (sub.status !== 'closed') sub.status = status as SimulatedSubaccount['status'];
    }
    const friendlyName = firstValue(params, 'FriendlyName');
    if (friendlyName !== undefined) sub.friendlyName = friendlyName;
    sub.updated = this.now();
    return { status: 200, body: this.resource(sub, false) };
  }

  private resource(sub: SimulatedSubaccount, withToken: boolean): Record<string, unknown> {
    return {
      sid: sub.sid, owner_account_sid: this.account.accountSid, friendly_name: sub.friendlyName, status: sub.status, type: 'Full',
      auth_token: withToken ? sub.authToken : '[hidden]', date_created: rfc2822(sub.created), date_updated: rfc2822(sub.updated),
      uri: `/2010-04-01/Accounts/${sub.sid}.json`, subresource_uris: {},
    };
  }
}
