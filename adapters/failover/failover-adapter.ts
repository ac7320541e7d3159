import { canCheckCredentials, type CredentialCheck } from '../../ports/credential-check.js';
import { DomainError, isDomainError, isRetryableCode } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { NamedAdapter, WebhookKind, WebhookReply, WebhookRequest } from '../../ports/webhook.js';

/** What every message port has in common: signed webhooks, a fixed answer to them, resources to release. */
export interface WebhookPort {
  readonly webhookKinds?: readonly WebhookKind[];
  verifyWebhook(request: WebhookRequest): boolean;
  webhookReply(): WebhookReply;
  close?(): Promise<void>;
}

/**
 * The ordered adapters of one channel (`use: [twilio, vonage]`) behind that channel's port: sends go to the first
 * and fall through to the next only on a failure known to have left nothing with the provider; each webhook
 * belongs to the member that signed it (core asks `signedBy`, then lets that member parse and answer it).
 */
export abstract class FailoverAdapter<P extends WebhookPort> implements CredentialCheck {
  protected readonly first: NamedAdapter<P>;
  /** Every member's kinds (a webhook may come from any of them); none when a member declares none. */
  readonly webhookKinds?: readonly WebhookKind[];

  constructor(protected readonly members: readonly NamedAdapter<P>[], private readonly logger: Logger) {
    if (members.length === 0) throw new Error('A failover list needs at least one adapter');
    this.first = members[0]!;
    const kinds = members.map((member) => member.port.webhookKinds);
    if (kinds.every((k) => k !== undefined)) this.webhookKinds = kinds.flat();
  }

  signedBy(request: WebhookRequest): NamedAdapter<P> | null {
    return this.members.find((member) => member.port.verifyWebhook(request)) ?? null;
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return this.signedBy(request) !== null;
  }

  /** Core answers each webhook through its signer; without a request, the first member's answer. */
  webhookReply(): WebhookReply {
    return this.first.port.webhookReply();
  }

  /**
   * Checks every member that can (a later member carries sends when an earlier one fails, so its credentials matter
   * as much). Fails with the first refusal's code, naming each member's verdict; a member that cannot check says so.
   */
  async checkCredentials(): Promise<string> {
    const verdicts: string[] = [];
    let refused: { member: string; err: DomainError } | null = null;
    for (const member of this.members) {
      if (!canCheckCredentials(member.port)) {
        verdicts.push(`${member.id}: not checked (this adapter cannot check without sending)`);
        continue;
      }
      try {
        verdicts.push(`${member.id}: ${await member.port.checkCredentials()}`);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        refused ??= { member: member.id, err };
        verdicts.push(`${member.id}: ${err.code}: ${err.message}`);
      }
    }
    if (refused) {
      const { member, err } = refused;
      throw new DomainError(err.code, verdicts.join('; '), err.nextStep, { ...err.details, provider: member });
    }
    return verdicts.join('; ');
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.members.map((member) => member.port.close?.()));
  }

  /**
   * Sends through the first member, then the next one only after `PROVIDER_UNAVAILABLE` or `RATE_LIMITED`: the
   * provider took nothing. Any other failure ends it — above all `PROVIDER_TIMEOUT`, after which the message may
   * have been accepted, so that nothing is ever sent twice. The result names the member that carried it; a
   * failure is the last member's, with every member tried listed in its details.
   */
  protected async sendInOrder<R extends object>(requestId: string | undefined, send: (port: P) => Promise<R>): Promise<R & { provider: string }> {
    const tried: string[] = [];
    for (const member of this.members) {
      tried.push(member.id);
      try {
        return { ...(await send(member.port)), provider: member.id };
      } catch (err) {
        const next = this.members[tried.length];
        if (!isDomainError(err)) throw err;
        if (!next || !isRetryableCode(err.code)) {
          throw tried.length === 1 ? err : new DomainError(err.code, err.message, err.nextStep, { ...err.details, triedProviders: tried.join(',') });
        }
        this.logger.warn({ requestId, from: member.id, to: next.id, code: err.code }, 'provider failed before accepting: trying the next one');
      }
    }
    throw new Error('unreachable: the last member either answers or throws');
  }

  /** Who parses a webhook: its signer, or else the first member (whose parser then refuses what is not its own). */
  protected parserOf(request: WebhookRequest): P {
    return (this.signedBy(request) ?? this.first).port;
  }
}
