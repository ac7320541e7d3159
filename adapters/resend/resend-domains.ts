import type { DomainRecords, Resend } from 'resend';
import type { DomainError } from '../../ports/errors.js';
import type { DnsRecord, DomainProvisioning, EmailDomain } from '../../ports/provisioning.js';
import type { Logger } from '../../ports/runtime.js';
import type { ResendFailure } from './resend-error-mapping.js';

/** What an SDK call of the Domains API answers: data, or the error Resend sent (the SDK does not throw). */
interface Answer<T> { data: T | null; error: ResendFailure['error'] | null; headers: Record<string, string> | null }

function records(list: readonly DomainRecords[]): DnsRecord[] {
  return list.map((r) => ({
    record: r.record, type: r.type, name: r.name, value: r.value, status: r.status, ttl: r.ttl ?? null,
    priority: 'priority' in r && typeof r.priority === 'number' ? r.priority : null,
  }));
}

/** Sending domains over Resend's Domains API, through the official `resend` SDK. */
export class ResendDomains implements DomainProvisioning {
  constructor(
    private readonly client: Resend,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly toDomainError: (failure: ResendFailure) => DomainError,
  ) {}

  async findDomain(name: string): Promise<EmailDomain | null> {
    const listed = await this.call('resend domain list failed', (signal) => this.client.domains.list({}, { signal }));
    const match = listed.data.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!match) return null;
    const domain = await this.call('resend domain read failed', (signal) => this.client.domains.get(match.id, { signal }));
    return { id: domain.id, name: domain.name, status: domain.status, records: records(domain.records) };
  }

  async createDomain(name: string): Promise<EmailDomain> {
    const domain = await this.call('resend domain creation failed', (signal) => this.client.domains.create({ name }, { signal }));
    return { id: domain.id, name: domain.name, status: domain.status, records: records(domain.records) };
  }

  async verifyDomain(id: string): Promise<void> {
    await this.call('resend domain verification failed', (signal) => this.client.domains.verify(id, { signal }));
  }

  private async call<T>(what: string, work: (signal: AbortSignal) => Promise<Answer<T>>): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const answer = await work(signal);
    if (answer.error || answer.data === null) {
      if (!answer.error) throw new Error(`${what}: Resend answered without data`);
      const failure = this.toDomainError({ error: answer.error, headers: answer.headers, timedOut: signal.aborted });
      this.logger.warn({ code: failure.code, details: failure.details }, what);
      throw failure;
    }
    return answer.data;
  }
}
