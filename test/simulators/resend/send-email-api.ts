import { randomUUID } from 'node:crypto';
import { IdempotencyStore, payloadFingerprint } from './idempotency-store.js';
import { resendErrors, type ApiAnswer } from './resend-error-body.js';
import type { ResendOpenApiSpec, SpecViolation } from './resend-openapi-spec.js';
import { answerForSpecViolation, asList, businessRuleError, type SendEmailBody } from './send-email-validation.js';
import { contentTypeFor, type SimulatedEmail } from './simulated-emails.js';

/** Marks a request body that was not JSON at all. */
export const INVALID_JSON = Symbol('invalid JSON');

/**
 * `POST /emails` as Resend answers it: the request schema, Resend's own rules, then the Idempotency-Key.
 * `operations` decides the answer; the published document, when there is one, records spec violations.
 * Accepted emails are appended to `emails`; `onAccepted` lets the simulator start their delivery events.
 */
export class SendEmailApi {
  private readonly idempotency: IdempotencyStore;

  constructor(
    private readonly operations: ResendOpenApiSpec,
    private readonly published: ResendOpenApiSpec | null,
    private readonly emails: SimulatedEmail[],
    private readonly specViolations: SpecViolation[],
    private readonly now: () => Date,
    private readonly onAccepted: (email: SimulatedEmail) => void,
  ) {
    this.idempotency = new IdempotencyStore(now);
  }

  forgetIdempotencyKeys(): void {
    this.idempotency.clear();
  }

  send(headers: Record<string, string>, body: unknown): ApiAnswer {
    const template = '/emails';
    if (body === INVALID_JSON || typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.specViolations.push({ method: 'POST', path: template, operationId: 'emails/send', location: 'body', parameter: '/', problem: 'not a JSON object' });
      return resendErrors.invalidJson();
    }
    if (this.published) {
      this.specViolations.push(...this.published.checkHeaders('POST', template, headers), ...this.published.checkJsonBody('POST', template, body));
    }
    const key = headers['idempotency-key'];
    if (key !== undefined && (key.length < 1 || key.length > 256)) return resendErrors.invalidIdempotencyKey();
    const firstViolation = this.operations.checkJsonBody('POST', template, body)[0];
    if (firstViolation) return answerForSpecViolation(firstViolation);

    const payload = body as SendEmailBody;
    const refusal = businessRuleError(payload);
    if (refusal) return refusal;

    const fingerprint = payloadFingerprint(payload);
    if (key !== undefined) {
      const verdict = this.idempotency.check(key, fingerprint);
      if (verdict.kind === 'replay') return { status: 200, body: { id: verdict.emailId } };
      if (verdict.kind === 'mismatch') return resendErrors.idempotentRequestMismatch();
    }
    const email = this.accept(payload, key ?? null);
    if (key !== undefined) this.idempotency.remember(key, fingerprint, email.id);
    return { status: 200, body: { id: email.id } };
  }

  private accept(payload: SendEmailBody, idempotencyKey: string | null): SimulatedEmail {
    const id = randomUUID();
    const email: SimulatedEmail = {
      id,
      from: payload.from,
      to: asList(payload.to),
      cc: asList(payload.cc),
      bcc: asList(payload.bcc),
      replyTo: asList(payload.reply_to),
      subject: payload.subject,
      html: payload.html ?? null,
      text: payload.text ?? null,
      headers: { ...payload.headers },
      attachments: (payload.attachments ?? []).map((a) => {
        // Remote `path` attachments would be fetched by Resend; the simulator never leaves loopback.
        const filename = a.filename ?? a.path?.split('/').pop() ?? 'attachment';
        return {
          filename,
          contentType: a.content_type ?? contentTypeFor(filename),
          content: a.content !== undefined ? Buffer.from(a.content, 'base64') : Buffer.alloc(0),
        };
      }),
      tags: [...(payload.tags ?? [])],
      idempotencyKey,
      messageId: `<${id}@email.amazonses.com>`,
      createdAt: this.now(),
      lastEvent: 'queued',
    };
    this.emails.push(email);
    this.onAccepted(email);
    return email;
  }
}
