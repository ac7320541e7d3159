import { randomBytes } from 'node:crypto';
import { firstValue, type FormParams } from './form-params.js';
import type { ApiAnswer } from './messages-api.js';
import type { TwilioOpenApiSpec, SpecViolation } from './twilio-openapi-spec.js';
import { twilioError, twilioErrors } from './twilio-error-body.js';
import { METHOD_NOT_ALLOWED } from './simulated-voice.js';

/** A number the simulated account holds (IncomingPhoneNumber), with the webhooks set on it. */
export interface SimulatedPhoneNumber {
  sid: string;
  /** The account that bought it and holds it: the main account or one of its subaccounts. */
  accountSid: string;
  phoneNumber: string;
  friendlyName: string;
  smsUrl: string;
  voiceUrl: string;
  statusCallback: string;
  created: Date;
  updated: Date;
}

/** What the next request of a kind does instead of succeeding. `hang-after` and `drop-after` buy the number first. */
export type NumberFault = { kind: 'fail'; status: number; code: number; message: string } | { kind: 'hang-after' } | { kind: 'drop-after' };

const AVAILABLE = /^\/2010-04-01\/Accounts\/([^/]+)\/AvailablePhoneNumbers\/([^/]+)\/Local\.json$/;
const INCOMING = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\.json$/;
const INCOMING_ONE = /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers\/([^/]+)\.json$/;
const SPEC_AVAILABLE = '/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Local.json';
const SPEC_INCOMING = '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json';
const SPEC_INCOMING_ONE = '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json';
/** Numbers for sale: the reserved fictional range +1 555 018x xxxx, area code 555, in the US only. */
const FOR_SALE_PREFIX = '+1555018';

const rfc2822 = (at: Date) => at.toUTCString().replace('GMT', '+0000');
const CAPABILITIES = { voice: true, sms: true, mms: true, fax: false };

/**
 * AvailablePhoneNumbers (Local) and IncomingPhoneNumbers of API v2010: search, buy, update webhooks, fetch,
 * list by number and release, checked against Twilio's OpenAPI document. Bought numbers join the account's
 * own (valid `From`), and released ones leave it. Faults can be armed per operation: a refused purchase, a
 * failed webhook update, or a purchase that happens but whose answer never arrives (a crash, a dropped line).
 * Each number belongs to the account whose credentials bought it (the main account or a subaccount), and
 * only that account sees, changes or releases it, as on Twilio.
 */
export class SimulatedPhoneNumbers {
  /** Numbers held now, by SID. */
  readonly held = new Map<string, SimulatedPhoneNumber>();
  /** Every number bought, in order (released ones too): what the account paid for. */
  readonly purchases: SimulatedPhoneNumber[] = [];
  readonly releases: SimulatedPhoneNumber[] = [];
  private readonly purchaseFaults: NumberFault[] = [];
  private readonly updateFaults: NumberFault[] = [];
  private readonly purchaseWaiters: Array<(number: SimulatedPhoneNumber) => void> = [];
  private nextForSale = 0;

  constructor(
    private readonly accountSid: string,
    private readonly ownedNumbers: Set<string>,
    private readonly now: () => Date,
    private readonly spec: TwilioOpenApiSpec,
    private readonly specViolations: SpecViolation[],
  ) {}

  /** The next purchase is refused (Twilio 21422 "not available" by default, or a 5xx). */
  failNextPurchase(fault: { status?: number; code?: number } = {}): void {
    const status = fault.status ?? 400;
    this.purchaseFaults.push({ kind: 'fail', status, code: fault.code ?? (status >= 500 ? 20500 : 21422), message: status >= 500 ? 'Internal Server Error' : 'PhoneNumber Requested is not available' });
  }

  /** The next purchase goes through but is never answered (`hang`) or its connection dropped (`drop`). */
  loseNextPurchaseAnswer(how: 'hang' | 'drop'): void {
    this.purchaseFaults.push({ kind: how === 'hang' ? 'hang-after' : 'drop-after' });
  }

  /** The next webhook update fails with a 500 and changes nothing. */
  failNextWebhookUpdate(): void {
    this.updateFaults.push({ kind: 'fail', status: 500, code: 20500, message: 'Internal Server Error' });
  }

  /** Resolves with the next number bought (after it is bought, before the answer is sent). */
  nextPurchase(): Promise<SimulatedPhoneNumber> {
    return new Promise((resolve) => this.purchaseWaiters.push(resolve));
  }

  byNumber(phoneNumber: string): SimulatedPhoneNumber | undefined {
    return [...this.held.values()].find((n) => n.phoneNumber === phoneNumber);
  }

  /** Someone changes a number's webhooks in the console: drift. */
  editInConsole(phoneNumber: string, change: Partial<Pick<SimulatedPhoneNumber, 'smsUrl' | 'voiceUrl' | 'statusCallback'>>): void {
    const number = this.byNumber(phoneNumber);
    if (!number) throw new Error(`The account holds no ${phoneNumber}`);
    Object.assign(number, change, { updated: this.now() });
  }

  clear(): void {
    this.purchaseFaults.length = 0;
    this.updateFaults.length = 0;
  }

  /** Requests for these resources, made with the credentials of `actingAs`; null when the path is another resource's. */
  route(method: string, path: string, params: FormParams, query: FormParams, actingAs: string = this.accountSid): ApiAnswer | 'hang' | 'drop' | null {
    const available = AVAILABLE.exec(path);
    const list = INCOMING.exec(path);
    const one = INCOMING_ONE.exec(path);
    const pathAccount = available?.[1] ?? list?.[1] ?? one?.[1];
    if (pathAccount === undefined) return null;
    if (pathAccount !== actingAs) return { status: 401, body: twilioErrors.authenticate() };
    const template = available ? SPEC_AVAILABLE : list ? SPEC_INCOMING : SPEC_INCOMING_ONE;
    if (!this.spec.hasOperation(method, template)) return METHOD_NOT_ALLOWED;
    this.specViolations.push(...this.spec.checkQuery(method, template, query));
    if (method === 'POST') this.specViolations.push(...this.spec.checkForm(method, template, params));
    if (available) return method === 'GET' ? this.search(available[2] ?? '', query, path) : METHOD_NOT_ALLOWED;
    if (list && method === 'POST') return this.buy(params, actingAs);
    if (list && method === 'GET') return this.list(query, path, actingAs);
    const found = this.held.get(one?.[2] ?? '');
    const number = found?.accountSid === actingAs ? found : undefined;
    if (!number) return { status: 404, body: twilioErrors.notFound(path) };
    if (method === 'GET') return { status: 200, body: this.resource(number) };
    if (method === 'POST') return this.update(number, params);
    if (method === 'DELETE') {
      this.held.delete(number.sid);
      this.ownedNumbers.delete(number.phoneNumber);
      this.releases.push(number);
      return { status: 204, body: null };
    }
    return METHOD_NOT_ALLOWED;
  }

  private search(country: string, query: FormParams, path: string): ApiAnswer {
    const areaCode = firstValue(query, 'AreaCode');
    const size = Number(firstValue(query, 'PageSize') ?? '50');
    const found: Array<Record<string, unknown>> = [];
    if (country === 'US' && (areaCode === undefined || areaCode === '555')) {
      for (let i = this.nextForSale; found.length < Math.min(size, 20) && i < this.nextForSale + 1000; i++) {
        const phoneNumber = `${FOR_SALE_PREFIX}${String(i % 10_000).padStart(4, '0')}`;
        if (this.ownedNumbers.has(phoneNumber)) continue;
        found.push({
          friendly_name: phoneNumber, phone_number: phoneNumber, lata: null, locality: 'Fictional', rate_center: 'FICTIONAL', latitude: null,
          longitude: null, region: 'CA', postal_code: null, iso_country: 'US', address_requirements: 'none', beta: false,
          capabilities: { voice: true, SMS: true, MMS: true },
        });
      }
    }
    return { status: 200, body: { available_phone_numbers: found, uri: path } };
  }

  private buy(params: FormParams, accountSid: string): ApiAnswer | 'hang' | 'drop' {
    const phoneNumber = firstValue(params, 'PhoneNumber');
    const fault = this.purchaseFaults.shift();
    if (fault?.kind === 'fail') return { status: fault.status, body: twilioError(fault.status, fault.code, fault.message) };
    if (!phoneNumber) return { status: 400, body: twilioError(400, 21421, 'PhoneNumber is required.') };
    if (!phoneNumber.startsWith(FOR_SALE_PREFIX) || this.ownedNumbers.has(phoneNumber)) {
      return { status: 400, body: twilioError(400, 21422, 'PhoneNumber Requested is not available') };
    }
    const at = this.now();
    const number: SimulatedPhoneNumber = {
      sid: `PN${randomBytes(16).toString('hex')}`, accountSid, phoneNumber, friendlyName: firstValue(params, 'FriendlyName') ?? phoneNumber,
      smsUrl: firstValue(params, 'SmsUrl') ?? '', voiceUrl: firstValue(params, 'VoiceUrl') ?? '', statusCallback: firstValue(params, 'StatusCallback') ?? '',
      created: at, updated: at,
    };
    this.held.set(number.sid, number);
    this.ownedNumbers.add(phoneNumber);
    this.purchases.push(number);
    this.nextForSale += 1;
    for (const waiter of this.purchaseWaiters.splice(0)) waiter(number);
    if (fault?.kind === 'hang-after') return 'hang';
    if (fault?.kind === 'drop-after') return 'drop';
    return { status: 201, body: this.resource(number) };
  }

  private update(number: SimulatedPhoneNumber, params: FormParams): ApiAnswer {
    const fault = this.updateFaults.shift();
    if (fault?.kind === 'fail') return { status: fault.status, body: twilioError(fault.status, fault.code, fault.message) };
    for (const [field, key] of [['SmsUrl', 'smsUrl'], ['VoiceUrl', 'voiceUrl'], ['StatusCallback', 'statusCallback']] as const) {
      const value = firstValue(params, field);
      if (value !== undefined) number[key] = value;
    }
    number.updated = this.now();
    return { status: 200, body: this.resource(number) };
  }

  private list(query: FormParams, path: string, accountSid: string): ApiAnswer {
    const wanted = firstValue(query, 'PhoneNumber');
    const numbers = [...this.held.values()].filter((n) => n.accountSid === accountSid && (wanted === undefined || n.phoneNumber === wanted)).map((n) => this.resource(n));
    return {
      status: 200,
      body: { incoming_phone_numbers: numbers, first_page_uri: path, next_page_uri: null, previous_page_uri: null, page: 0, page_size: 50, start: 0, end: numbers.length, uri: path },
    };
  }

  private resource(n: SimulatedPhoneNumber): Record<string, unknown> {
    return {
      sid: n.sid, account_sid: n.accountSid, phone_number: n.phoneNumber, friendly_name: n.friendlyName, api_version: '2010-04-01',
      sms_url: n.smsUrl, sms_method: 'POST', voice_url: n.voiceUrl, voice_method: 'POST', status_callback: n.statusCallback, status_callback_method: 'POST',
      capabilities: CAPABILITIES, status: 'in-use', origin: 'twilio', beta: false,
      date_created: rfc2822(n.created), date_updated: rfc2822(n.updated),
      uri: `/2010-04-01/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    };
  }
}
