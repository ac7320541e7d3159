import { randomUUID } from 'node:crypto';
import { resendErrors, type ApiAnswer } from './resend-error-body.js';

/** A sending domain of the simulated team, with the DNS records Resend asks for. */
export interface SimulatedDomain {
  id: string;
  name: string;
  status: 'not_started' | 'pending' | 'verified';
  createdAt: string;
  records: Array<Record<string, unknown>>;
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/i;

function recordsFor(name: string): Array<Record<string, unknown>> {
  return [
    { record: 'SPF', name: 'send', type: 'MX', ttl: 'Auto', status: 'not_started', value: 'feedback-smtp.us-east-1.amazonses.com', priority: 10 },
    { record: 'SPF', name: 'send', type: 'TXT', ttl: 'Auto', status: 'not_started', value: '"v=spf1 include:amazonses.com ~all"' },
    { record: 'DKIM', name: 'resend._domainkey', type: 'TXT', ttl: 'Auto', status: 'not_started', value: `p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC${Buffer.from(name).toString('base64')}` },
  ];
}

/**
 * The Domains API of Resend: create (with its DNS records), list, get and verify. The team starts with one
 * verified domain (`example.com`); a created one is `not_started` until verified, then `pending`, and the
 * test decides when DNS "propagated" (`markVerified`). A fault can be armed for the next creation.
 */
export class SimulatedDomains {
  readonly domains: SimulatedDomain[] = [
    { id: 'd91cd9bd-1176-453e-8fc1-35364d380206', name: 'example.com', status: 'verified', createdAt: '2026-01-05 10:00:00.000000+00', records: recordsFor('example.com').map((r) => ({ ...r, status: 'verified' })) },
  ];
  private failCreate = 0;

  failNextCreate(): void {
    this.failCreate += 1;
  }

  markVerified(name: string): void {
    const domain = this.domains.find((d) => d.name === name);
    if (!domain) throw new Error(`No domain ${name}`);
    domain.status = 'verified';
    for (const record of domain.records) record.status = 'verified';
  }

  create(body: unknown): ApiAnswer {
    if (this.failCreate > 0) {
      this.failCreate -= 1;
      return resendErrors.serverFault(500);
    }
    const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name === '') return resendErrors.missingField('name');
    if (!DOMAIN_NAME.test(name)) return resendErrors.invalidField('name', 'The domain name is invalid.');
    if (this.domains.some((d) => d.name === name.toLowerCase())) return { status: 403, body: { statusCode: 403, name: 'validation_error', message: `The domain ${name} is already registered.` } };
    const domain: SimulatedDomain = {
      id: randomUUID(), name: name.toLowerCase(), status: 'not_started', createdAt: new Date().toISOString().replace('T', ' ').replace('Z', '+00'), records: recordsFor(name),
    };
    this.domains.push(domain);
    return { status: 201, body: { ...this.summary(domain), records: domain.records, capabilities: { sending: 'enabled', receiving: 'disabled' } } };
  }

  list(): ApiAnswer {
    return { status: 200, body: { object: 'list', has_more: false, data: this.domains.map((d) => this.summary(d)) } };
  }

  get(id: string): ApiAnswer {
    const domain = this.domains.find((d) => d.id === id);
    if (!domain) return resendErrors.notFound('Domain not found');
    return { status: 200, body: { object: 'domain', ...this.summary(domain), records: domain.records } };
  }

  verify(id: string): ApiAnswer {
    const domain = this.domains.find((d) => d.id === id);
    if (!domain) return resendErrors.notFound('Domain not found');
    if (domain.status === 'not_started') domain.status = 'pending';
    return { status: 200, body: { object: 'domain', id: domain.id } };
  }

  private summary(d: SimulatedDomain): Record<string, unknown> {
    return { id: d.id, name: d.name, status: d.status, created_at: d.createdAt, region: 'us-east-1', capabilities: { sending: 'enabled', receiving: d.name === 'example.com' ? 'enabled' : 'disabled' } };
  }
}
