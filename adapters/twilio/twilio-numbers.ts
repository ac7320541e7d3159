import type twilio from 'twilio';
import type { IncomingPhoneNumberInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber.js';
import type { DomainError } from '../../ports/errors.js';
import type {
  AvailableNumber, NumberProvisioning, NumberSearch, NumberWebhooks, OwnedNumber,
} from '../../ports/provisioning.js';
import type { Logger } from '../../ports/runtime.js';
import type { TwilioSubject } from './twilio-error-mapping.js';

function statusOf(err: unknown): number | null {
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : null;
}

function owned(number: IncomingPhoneNumberInstance): OwnedNumber {
  return {
    providerRef: number.sid,
    phoneNumber: number.phoneNumber,
    webhooks: { smsUrl: number.smsUrl || null, voiceUrl: number.voiceUrl || null, statusCallbackUrl: number.statusCallback || null },
    capabilities: { sms: number.capabilities?.sms ?? false, voice: number.capabilities?.voice ?? false, mms: number.capabilities?.mms ?? false },
  };
}

/**
 * Numbers over Twilio's AvailablePhoneNumbers and IncomingPhoneNumbers resources (API v2010), through the
 * official SDK. Webhooks are always POST, as the rest of the adapter expects them.
 */
export class TwilioNumbers implements NumberProvisioning {
  constructor(
    private readonly client: twilio.Twilio,
    private readonly logger: Logger,
    private readonly toDomainError: (err: unknown, subject?: TwilioSubject) => DomainError,
  ) {}

  async searchAvailable(search: NumberSearch): Promise<AvailableNumber[]> {
    const found = await this.call('twilio number search failed', () => this.client.availablePhoneNumbers(search.country).local.list({
      ...(search.areaCode ? { areaCode: Number(search.areaCode) } : {}),
      ...(search.sms ? { smsEnabled: true } : {}),
      ...(search.voice ? { voiceEnabled: true } : {}),
      limit: search.limit,
    }));
    return found.map((n) => {
      // Twilio spells these capabilities `SMS` and `MMS` for numbers for sale (and lower case once bought).
      const caps = (n.capabilities ?? {}) as unknown as Record<string, boolean | undefined>;
      return { phoneNumber: n.phoneNumber, country: n.isoCountry, capabilities: { sms: caps.SMS ?? caps.sms ?? false, voice: caps.voice ?? false, mms: caps.MMS ?? caps.mms ?? false } };
    });
  }

  async buy(phoneNumber: string, label: string): Promise<OwnedNumber> {
    return owned(await this.call('twilio number purchase failed', () => this.client.incomingPhoneNumbers.create({ phoneNumber, friendlyName: label })));
  }

  async updateWebhooks(providerRef: string, webhooks: NumberWebhooks): Promise<OwnedNumber> {
    return owned(await this.call('twilio number update failed', () => this.client.incomingPhoneNumbers(providerRef).update({
      ...(webhooks.smsUrl ? { smsUrl: webhooks.smsUrl, smsMethod: 'POST' } : {}),
      ...(webhooks.voiceUrl ? { voiceUrl: webhooks.voiceUrl, voiceMethod: 'POST' } : {}),
      ...(webhooks.statusCallbackUrl ? { statusCallback: webhooks.statusCallbackUrl, statusCallbackMethod: 'POST' } : {}),
    })));
  }

  async fetch(providerRef: string): Promise<OwnedNumber | null> {
    try {
      return owned(await this.client.incomingPhoneNumbers(providerRef).fetch());
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw this.failure(err, 'twilio number fetch failed');
    }
  }

  async findOwned(phoneNumber: string): Promise<OwnedNumber | null> {
    const [found] = await this.call('twilio number lookup failed', () => this.client.incomingPhoneNumbers.list({ phoneNumber, limit: 1 }));
    return found && found.phoneNumber === phoneNumber ? owned(found) : null;
  }

  async release(providerRef: string): Promise<void> {
    try {
      await this.client.incomingPhoneNumbers(providerRef).remove();
    } catch (err) {
      // Already gone (released before a crash, or in the console): what was asked is done.
      if (statusOf(err) === 404) return;
      throw this.failure(err, 'twilio number release failed');
    }
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw this.failure(err, what);
    }
  }

  private failure(err: unknown, what: string): DomainError {
    const failure = this.toDomainError(err, 'number');
    // No numbers in logs: the code and safe details say enough.
    this.logger.warn({ code: failure.code, details: failure.details }, what);
    return failure;
  }
}
