import type { DomainProvisioning, EmailDomain } from '../../ports/provisioning.js';

/** Demo mode's sending domains: created in memory with the records a real provider would ask for, verified on request. */
export class MockDomains implements DomainProvisioning {
  private readonly domains = new Map<string, EmailDomain>();

  async findDomain(name: string): Promise<EmailDomain | null> {
    return [...this.domains.values()].find((d) => d.name === name.toLowerCase()) ?? null;
  }

  async createDomain(name: string): Promise<EmailDomain> {
    const domain: EmailDomain = {
      id: `dom_mock_${this.domains.size + 1}`,
      name: name.toLowerCase(),
      status: 'not_started',
      records: [
        { record: 'SPF', type: 'TXT', name: 'send', value: 'v=spf1 include:mock.invalid ~all', status: 'not_started', ttl: 'Auto', priority: null },
        { record: 'DKIM', type: 'TXT', name: 'mock._domainkey', value: 'p=MOCKKEY', status: 'not_started', ttl: 'Auto', priority: null },
      ],
    };
    this.domains.set(domain.id, domain);
    return domain;
  }

  async verifyDomain(id: string): Promise<void> {
    const domain = this.domains.get(id);
    if (!domain) return;
    domain.status = 'verified';
    for (const record of domain.records) record.status = 'verified';
  }
}
