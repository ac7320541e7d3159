import { DomainError } from '../../ports/errors.js';
import type { VonageCredentials } from './vonage-options.js';
import {
  commonHttpFailure, httpFailureDetails, httpFailureOf, invalidParameterNames, networkFailure, problemCode, scrubber, text,
  type VonageHttpFailure,
} from './vonage-failures.js';

/** Messages API error codes with a specific meaning for the caller. */
const OUTSIDE_WINDOW_CODE = '1340';
const INVALID_SENDER_CODE = '1120';
const INVALID_TEMPLATE_CODE = '1022';

const MAYBE_SENT = 'The message may or may not have been sent: check its status (or with the recipient) before sending again; the Messages API has no idempotency key.';

/** Builds the error mapping of one adapter instance; its secrets are scrubbed from anything that reaches a message. */
export function vonageErrorMapper(options: { secrets: readonly string[]; timeoutMs: number; credentials: VonageCredentials; now: () => Date }) {
  const scrub = scrubber(options.secrets);
  const credentialHint = options.credentials.kind === 'jwt'
    ? 'Check applicationId and privateKey of the whatsapp options (VONAGE_APPLICATION_ID / VONAGE_PRIVATE_KEY): the key must be the one of that application'
    : 'Check apiKey and apiSecret of the whatsapp options (VONAGE_API_KEY / VONAGE_API_SECRET)';

  function fromHttpFailure(failure: VonageHttpFailure): DomainError {
    const common = commonHttpFailure(failure, { credentialHint, subject: 'the message', now: options.now });
    if (common) return common;
    const { status, problem } = failure;
    const code = problemCode(problem);
    const details = httpFailureDetails(failure);
    const vonageSays = scrub(text(problem.detail) ?? text(problem.title) ?? `HTTP ${status}`);
    const titleAndDetail = `${text(problem.title) ?? ''} ${text(problem.detail) ?? ''}`;
    if (code === OUTSIDE_WINDOW_CODE || /outside .*window/i.test(titleAndDetail)) {
      return new DomainError(
        'TEMPLATE_REQUIRED',
        'WhatsApp refused free-form text: the contact has not written in the last 24 hours.',
        'Send an approved WhatsApp template instead (templateId and templateVars), or wait until the contact writes; free-form messages are allowed for 24 hours after their last message.',
        details,
      );
    }
    if (invalidParameterNames(problem).includes('to')) {
      return new DomainError(
        'INVALID_PHONE_NUMBER',
        `Vonage refused the recipient: ${vonageSays}`,
        'Check that the destination is a WhatsApp user\'s number in E.164 form (+ country code, digits only); do not retry the same number.',
        details,
      );
    }
    const nextStep = code === INVALID_SENDER_CODE
      ? 'Send from a WhatsApp Business number linked to this Vonage application (the agent\'s WhatsApp address).'
      : code === INVALID_TEMPLATE_CODE
        ? 'Use the exact name of an approved template of the WhatsApp Business Account, in the language set by templateLanguage, with one variable per placeholder.'
        : status === 403
          ? 'The account or application is not allowed to do this: check that WhatsApp is provisioned for it in the Vonage dashboard.'
          : 'Fix the request before trying again; sending it unchanged will fail the same way.';
    return new DomainError('PROVIDER_REJECTED', `Vonage refused the message: ${vonageSays}${code ? ` (${code})` : ''}`, nextStep, details);
  }

  /** Any failure of an SDK call, as the `DomainError` the WhatsAppPort documents. */
  return async function toDomainError(err: unknown): Promise<DomainError> {
    const failure = await httpFailureOf(err);
    if (failure) return fromHttpFailure(failure);
    return networkFailure(err, { timeoutMs: options.timeoutMs, maybeAccepted: MAYBE_SENT, hostOption: 'apiHost of the whatsapp options', scrub });
  };
}
