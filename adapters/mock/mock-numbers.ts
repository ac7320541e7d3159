import type {
  AvailableNumber, NumberProvisioning, NumberSearch, NumberWebhooks, OwnedNumber,
} from '../../ports/provisioning.js';

const ALL = { sms: true, voice: true, mms: true };

/**
 * Demo mode's numbers: an endless supply of reserved fictional numbers (+1 555 01xx xxxx), bought and
 * released in memory. Nothing is charged, nothing leaves the process.
 */
export class MockNumbers implements NumberProvisioning {
  private readonly owned = new Map<string, OwnedNumber>();
  private next = 0;

  async searchAvailable(search: NumberSearch): Promise<AvailableNumber[]> {
    if (search.country !== 'US' || (search.areaCode !== undefined && search.areaCode !== '555')) return [];
    const found: AvailableNumber[] = [];
    while (found.length < search.limit) {
      const phoneNumber = `+1555017${String(this.next++ % 10_000).padStart(4, '0')}`;
      if (![...this.owned.values()].some((n) => n.phoneNumber === phoneNumber)) found.push({ phoneNumber, country: 'US', capabilities: ALL });
    }
    return found;
  }

  async buy(phoneNumber: string): Promise<OwnedNumber> {
    const number: OwnedNumber = {
      providerRef: `PNmock${this.owned.size + 1}${Date.now().toString(36)}`, phoneNumber, capabilities: ALL,
      webhooks: { smsUrl: null, voiceUrl: null, statusCallbackUrl: null },
    };
    this.owned.set(number.providerRef, number);
    return number;
  }

  async updateWebhooks(providerRef: string, webhooks: NumberWebhooks): Promise<OwnedNumber> {
    const number = this.owned.get(providerRef);
    if (!number) throw new Error(`mock: no number ${providerRef}`);
    number.webhooks = { ...webhooks };
    return { ...number };
  }

  async fetch(providerRef: string): Promise<OwnedNumber | null> {
    const number = this.owned.get(providerRef);
    return number ? { ...number, webhooks: { ...number.webhooks } } : null;
  }

  async findOwned(phoneNumber: string): Promise<OwnedNumber | null> {
    return [...this.owned.values()].find((n) => n.phoneNumber === phoneNumber) ?? null;
  }

  async release(providerRef: string): Promise<void> {
    this.owned.delete(providerRef);
  }
}
