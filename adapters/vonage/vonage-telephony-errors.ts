import { DomainError, type ErrorCode } from '../../ports/errors.js';
import {
  commonHttpFailure, httpFailureDetails, httpFailureOf, invalidParameterNames, networkFailure, problemCode, scrubber, stringProperty, text,
} from './vonage-failures.js';

const SMS_CREDENTIALS = 'Check apiKey and apiSecret of the vonage telephony options (VONAGE_API_KEY / VONAGE_API_SECRET)';
const VOICE_CREDENTIALS = 'Check applicationId and privateKey of the vonage telephony options (VONAGE_APPLICATION_ID / VONAGE_PRIVATE_KEY): the key must be the one of that application';
const MAYBE_SENT = 'The message may or may not have been sent: check its status (or with the recipient) before sending again; the SMS API has no idempotency key.';
const MAYBE_PLACED = 'The call may or may not have been placed: check its status before calling again; the Voice API has no idempotency key.';
const NOT_A_NUMBER = 'Check that the destination is a reachable number in E.164 form (+ country code, digits only); do not retry the same number.';

/** SMS API status codes of a refused message (`messages[].status` of an HTTP 200 answer), as the port's codes. */
const SMS_API_STATUS: Readonly<Record<string, { code: ErrorCode; nextStep: string }>> = {
  1: { code: 'RATE_LIMITED', nextStep: 'Wait a second, then send again more slowly: the account sends a limited number of SMS per second.' },
  2: { code: 'PROVIDER_REJECTED', nextStep: 'A required parameter is missing: report this to the server operator.' },
  3: { code: 'PROVIDER_REJECTED', nextStep: 'Fix the request before trying again; sending it unchanged will fail the same way.' },
  4: { code: 'PROVIDER_AUTH_FAILED', nextStep: `${SMS_CREDENTIALS}; retrying will not help until they are fixed.` },
  5: { code: 'PROVIDER_UNAVAILABLE', nextStep: 'Retry in a little while; if it persists, check https://vonageapi.statuspage.io.' },
  6: { code: 'INVALID_PHONE_NUMBER', nextStep: NOT_A_NUMBER },
  7: { code: 'INVALID_PHONE_NUMBER', nextStep: 'This number is barred from receiving messages; do not retry it.' },
  8: { code: 'PROVIDER_REJECTED', nextStep: 'The Vonage account is suspended: the operator must contact Vonage support.' },
  9: { code: 'PROVIDER_REJECTED', nextStep: 'The Vonage account has no credit left: the operator must top it up.' },
  10: { code: 'RATE_LIMITED', nextStep: 'Wait a few seconds, then send again: the account has too many connections open.' },
  11: { code: 'PROVIDER_REJECTED', nextStep: 'The account is not enabled for the SMS API over HTTP: the operator must ask Vonage to enable it.' },
  12: { code: 'PROVIDER_REJECTED', nextStep: 'Shorten the message, or split it into several messages.' },
  14: { code: 'PROVIDER_AUTH_FAILED', nextStep: `${SMS_CREDENTIALS}; retrying will not help until they are fixed.` },
  15: { code: 'PROVIDER_REJECTED', nextStep: 'Send from a Vonage number of this account (the agent\'s number), as this destination requires.' },
  23: { code: 'PROVIDER_REJECTED', nextStep: 'The delivery receipt URL was refused: check publicBaseUrl.' },
  29: { code: 'PROVIDER_REJECTED', nextStep: 'The account is in demo mode: add this number to its test numbers, or top the account up.' },
  33: { code: 'INVALID_PHONE_NUMBER', nextStep: 'This number is deactivated; do not retry it.' },
};

/** The SDK throws this (MessageSendAllFailure) when the SMS API answered 200 but refused the message. */
function refusedMessage(err: unknown): { status: string; errorText: string } | null {
  const failed = (err as { getFailedMessages?: () => unknown[] } | null)?.getFailedMessages;
  if (typeof failed !== 'function') return null;
  const [first] = failed.call(err) as unknown[];
  return { status: stringProperty(first, 'status') ?? '', errorText: stringProperty(first, 'errorText') ?? '' };
}

/** Builds the error mapping of one telephony adapter; its secrets are scrubbed from anything that reaches a message. */
export function vonageTelephonyErrors(options: { secrets: readonly string[]; timeoutMs: number; now: () => Date }) {
  const scrub = scrubber(options.secrets);
  const network = (err: unknown, maybeAccepted: string, hostOption: string) =>
    networkFailure(err, { timeoutMs: options.timeoutMs, maybeAccepted, hostOption, scrub });

  return {
    /** A failed `sms.send`: a refusal in the SMS API's body, an HTTP failure, or no answer. */
    async sms(err: unknown): Promise<DomainError> {
      const refused = refusedMessage(err);
      if (refused) {
        const known = SMS_API_STATUS[refused.status];
        const vonageSays = scrub(refused.errorText || `status ${refused.status}`);
        const details = { provider: 'vonage', providerCode: refused.status };
        // 3 "Invalid Parameters" is about the number when Vonage says so ("Invalid to address").
        if (refused.status === '3' && /\bto\b/i.test(refused.errorText)) {
          return new DomainError('INVALID_PHONE_NUMBER', `Vonage refused the number: ${vonageSays}.`, NOT_A_NUMBER, details);
        }
        return new DomainError(
          known?.code ?? 'PROVIDER_REJECTED',
          `Vonage refused the message: ${vonageSays} (status ${refused.status}).`,
          known?.nextStep ?? 'Fix the request before trying again; sending it unchanged will fail the same way.',
          details,
        );
      }
      const failure = await httpFailureOf(err);
      if (failure) {
        return commonHttpFailure(failure, { credentialHint: SMS_CREDENTIALS, subject: 'the message', now: options.now })
          ?? new DomainError('PROVIDER_REJECTED', `Vonage refused the message (HTTP ${failure.status}).`, 'Fix the request before trying again.', httpFailureDetails(failure));
      }
      return network(err, MAYBE_SENT, 'restHost of the telephony options');
    },

    /** A failed credential check (the Account API's balance lookup): nothing was sent. */
    async credentials(err: unknown): Promise<DomainError> {
      const failure = await httpFailureOf(err);
      if (!failure) return network(err, 'Nothing was sent: run the check again.', 'restHost of the telephony options');
      return commonHttpFailure(failure, { credentialHint: SMS_CREDENTIALS, subject: 'the balance lookup', now: options.now })
        ?? new DomainError('PROVIDER_REJECTED', `Vonage refused the balance lookup (HTTP ${failure.status}).`, SMS_CREDENTIALS, httpFailureDetails(failure));
    },

    /** A failed Voice API call (place, hang up). */
    async call(err: unknown): Promise<DomainError> {
      const failure = await httpFailureOf(err);
      if (!failure) return network(err, MAYBE_PLACED, 'apiHost of the telephony options');
      const common = commonHttpFailure(failure, { credentialHint: VOICE_CREDENTIALS, subject: 'the call', now: options.now });
      if (common) return common;
      const details = httpFailureDetails(failure);
      const vonageSays = scrub(text(failure.problem.detail) ?? text(failure.problem.title) ?? `HTTP ${failure.status}`);
      if (invalidParameterNames(failure.problem).some((name) => /^to\b/.test(name))) {
        return new DomainError('INVALID_PHONE_NUMBER', `Vonage refused the number: ${vonageSays}`, NOT_A_NUMBER, details);
      }
      const code = problemCode(failure.problem);
      return new DomainError(
        'PROVIDER_REJECTED',
        `Vonage refused the call: ${vonageSays}${code ? ` (${code})` : ''}`,
        failure.status === 403
          ? 'The application may not place calls: check that voice is enabled for it and that the number is linked to it.'
          : 'Fix the request before trying again; sending it unchanged will fail the same way.',
        details,
      );
    },
  };
}
