import { DomainError, type ErrorDetails } from '../../ports/errors.js';

/** The fields nodemailer puts on its errors (`code` is nodemailer's, `originalCode` the socket's). */
interface NodemailerFailure {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
]);
const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'ETLS', 'EREQUIRETLS', 'EPROXY']);
/** Enhanced status codes (RFC 3463) that mean "this mailbox or address is wrong". */
const BAD_ADDRESS = /^5\.1\.[0-8]$/;
/** Temporary refusals that mean "too much, too fast" (4.7.x policy, or the wording of common servers). */
const SLOW_DOWN_TEXT = /rate|too many|throttl|slow down|exceeded|try again later/i;

function asFailure(err: unknown): NodemailerFailure {
  return typeof err === 'object' && err !== null ? (err as NodemailerFailure) : { message: String(err) };
}

/** `5.1.1` out of `550 5.1.1 <bob@example.com>: user unknown`. */
export function enhancedStatusOf(response: string | undefined): string | null {
  return /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(response ?? '')?.[1] ?? null;
}

/** Builds the error mapping of one adapter instance; `secret` is scrubbed from anything that reaches a message. */
export function smtpErrorMapper(server: string, secret: string | null, timeoutMs: number) {
  const scrub = (text: string) => (secret ? text.split(secret).join('[redacted]') : text);

  return function toDomainError(err: unknown): DomainError {
    const failure = asFailure(err);
    const code = failure.code ?? '';
    const responseCode = typeof failure.responseCode === 'number' ? failure.responseCode : null;
    const enhanced = enhancedStatusOf(failure.response);
    const serverSays = scrub((failure.response ?? failure.message ?? '').replace(/\s+/g, ' ')).slice(0, 200);
    const details: ErrorDetails = {
      provider: 'smtp', smtpCode: responseCode, enhancedStatus: enhanced, command: failure.command, networkError: failure.originalCode,
    };

    if (code === 'EAUTH' || code === 'ENOAUTH' || responseCode === 530 || responseCode === 534 || responseCode === 535) {
      return new DomainError(
        'PROVIDER_AUTH_FAILED',
        `The SMTP server ${server} refused our login${responseCode ? ` (${responseCode})` : ''}.`,
        'Check auth.user and auth.pass of the email options (and whether the server wants an app password); retrying will not help until they are fixed.',
        details,
      );
    }
    if (code === 'ETIMEDOUT' || failure.originalCode === 'ETIMEDOUT' || code === 'EABORT') {
      return new DomainError(
        'PROVIDER_TIMEOUT',
        `The SMTP server ${server} did not answer within ${timeoutMs} ms.`,
        'The mail may or may not have been accepted: check before sending again. A retry reuses the same Message-ID, so most mailboxes show it once.',
        details,
      );
    }
    if (responseCode !== null && responseCode >= 500) {
      const aboutAddress = (enhanced !== null && BAD_ADDRESS.test(enhanced))
        || (enhanced === null && (failure.command === 'RCPT TO' || failure.command === 'MAIL FROM') && [550, 551, 553].includes(responseCode));
      if (aboutAddress) {
        const field = failure.command === 'MAIL FROM' ? 'from' : 'to';
        return new DomainError(
          'INVALID_EMAIL_ADDRESS',
          `The SMTP server refused ${field === 'from' ? 'the sender' : 'the recipient'}: ${serverSays}`,
          field === 'from'
            ? 'Check the sending address of this agent\'s email channel: the SMTP account must be allowed to send as it.'
            : 'Check the recipient addresses; do not retry the same address.',
          { ...details, field },
        );
      }
      return new DomainError(
        'PROVIDER_REJECTED',
        `The SMTP server refused the mail: ${serverSays}`,
        responseCode === 552 || enhanced === '5.3.4'
          ? 'Make the mail smaller (fewer or smaller attachments), then send again.'
          : 'Fix the mail or the server\'s policy before trying again; sending it unchanged will fail the same way.',
        details,
      );
    }
    if (responseCode !== null && responseCode >= 400) {
      if (responseCode !== 421 && ((enhanced?.startsWith('4.7.') ?? false) || SLOW_DOWN_TEXT.test(failure.response ?? ''))) {
        return new DomainError(
          'RATE_LIMITED',
          `The SMTP server asked us to slow down: ${serverSays}`,
          'Wait a minute, then send again more slowly.',
          details,
        );
      }
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `The SMTP server is temporarily refusing mail: ${serverSays}`,
        'Retry in a little while; the server said the problem is temporary.',
        details,
      );
    }
    if (code === 'EENVELOPE') {
      return new DomainError(
        'INVALID_EMAIL_ADDRESS',
        `The mail has an unusable address: ${serverSays}`,
        'Check the sender and recipient addresses (email@example.com or Name <email@example.com>).',
        details,
      );
    }
    if (CONNECTION_CODES.has(code) || UNREACHABLE_CODES.has(code) || UNREACHABLE_CODES.has(failure.originalCode ?? '')) {
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Could not reach the SMTP server ${server} (${failure.originalCode ?? code}).`,
        code === 'ETLS' || code === 'EREQUIRETLS'
          ? 'The TLS connection failed: check the host, port, secure/requireTLS and tls options (a self-signed certificate needs tls.rejectUnauthorized: false).'
          : 'Retry in a little while; if it persists, check the host and port of the email options and the network.',
        details,
      );
    }
    // Not an SMTP answer: a bug or a misuse of nodemailer. The text is scrubbed because errors may echo options.
    return new DomainError(
      'INTERNAL',
      'Unexpected failure while sending through SMTP.',
      'Report this to the server operator with the request id.',
      { ...details, reason: serverSays || undefined },
    );
  };
}
