import { randomBytes } from 'node:crypto';
import { firstValue, type FormParams } from './form-params.js';
import type { ApiAnswer } from './messages-api.js';
import type { SimulatedAccount } from './simulated-account.js';
import { twilioErrors } from './twilio-error-body.js';
import { METHOD_NOT_ALLOWED } from './simulated-voice.js';

/** An API key of the simulated account; `secret` is what Twilio shows once, at creation. */
export interface SimulatedKey {
  sid: string;
  secret: string;
  friendlyName: string;
  created: Date;
}

/** Who a request authenticated as: the account itself (SID and auth token), one of its API keys, or a subaccount (see accounts-api.ts). */
export type Authenticated = { as: 'account' } | { as: 'api-key'; keySid: string } | { as: 'subaccount'; accountSid: string };

const KEYS_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Keys\.json$/;
const KEY_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Keys\/([^/]+)\.json$/;
const BALANCE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Balance\.json$/;
export const SPEC_KEYS = '/2010-04-01/Accounts/{AccountSid}/Keys.json';
export const SPEC_KEY = '/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json';
export const SPEC_BALANCE = '/2010-04-01/Accounts/{AccountSid}/Balance.json';

const rfc2822 = (at: Date) => at.toUTCString().replace('GMT', '+0000');

/**
 * The Keys resource of API v2010 (create, list, fetch, delete API keys, `SK…` with a secret) and Basic
 * authentication by account or by key. As on Twilio, a standard API key authenticates every resource but
 * the Keys resource itself and the Account resource: those take the account's own credentials.
 */
export class SimulatedKeys {
  readonly keys = new Map<string, SimulatedKey>();

  constructor(private readonly account: SimulatedAccount, private readonly now: () => Date) {}

  /** Creates a key directly, as a person does in the Twilio console. */
  create(friendlyName = 'simulated key'): SimulatedKey {
    const key = { sid: `SK${randomBytes(16).toString('hex')}`, secret: randomBytes(16).toString('hex'), friendlyName, created: this.now() };
    this.keys.set(key.sid, key);
    return key;
  }

  /** Decodes `Authorization: Basic …`: the account SID and auth token, or a key SID and its secret; null otherwise. */
  authenticate(authorization: string | undefined): Authenticated | null {
    if (!authorization?.startsWith('Basic ')) return null;
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return null;
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (user === this.account.accountSid && password === this.account.authToken) return { as: 'account' };
    const key = this.keys.get(user);
    return key && key.secret === password ? { as: 'api-key', keySid: key.sid } : null;
  }

  /** Requests for Keys and Balance; null when the path is another resource's. */
  route(method: string, path: string, params: FormParams, auth: Authenticated): ApiAnswer | null {
    const list = KEYS_PATH.exec(path);
    const single = KEY_PATH.exec(path);
    const balance = BALANCE_PATH.exec(path);
    const pathAccount = list?.[1] ?? single?.[1] ?? balance?.[1];
    if (pathAccount === undefined) return null;
    if (pathAccount !== this.account.accountSid) return { status: 401, body: twilioErrors.authenticate() };
    if (balance) {
      if (method !== 'GET') return METHOD_NOT_ALLOWED;
      return { status: 200, body: { account_sid: this.account.accountSid, balance: '20.00', currency: 'USD' } };
    }
    if (auth.as !== 'account') return { status: 401, body: twilioErrors.authenticate() };
    if (list && method === 'POST') {
      const key = this.create(firstValue(params, 'FriendlyName') ?? '');
      return { status: 201, body: { ...this.resource(key), secret: key.secret } };
    }
    if (list && method === 'GET') {
      const keys = [...this.keys.values()].map((k) => this.resource(k));
      return { status: 200, body: { keys, first_page_uri: path, next_page_uri: null, previous_page_uri: null, page: 0, page_size: 50, start: 0, end: keys.length, uri: path } };
    }
    const key = single ? this.keys.get(single[2] ?? '') : undefined;
    if (!key) return { status: 404, body: twilioErrors.notFound(path) };
    if (method === 'GET') return { status: 200, body: this.resource(key) };
    if (method === 'DELETE') {
      this.keys.delete(key.sid);
      return { status: 204, body: null };
    }
    return METHOD_NOT_ALLOWED;
  }

  private resource(key: SimulatedKey): Record<string, unknown> {
    return { sid: key.sid, friendly_name: key.friendlyName, date_created: rfc2822(key.created), date_updated: rfc2822(key.created) };
  }
}
