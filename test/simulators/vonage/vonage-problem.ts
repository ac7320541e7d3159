import { randomBytes } from 'node:crypto';

/**
 * Vonage's RFC 7807 problem body. The Messages API v1 lists the offending fields in `invalid_parameters`
 * (the name the SDK's `MessageErrorResponse` type uses), each with a `name` and a `reason`.
 */
export interface VonageProblem {
  type: string;
  title: string;
  detail: string;
  instance: string;
  invalid_parameters?: { name: string; reason: string }[];
}

export interface ProblemAnswer {
  status: number;
  body: VonageProblem;
}

const GENERIC = 'https://developer.vonage.com/api-errors';
const MESSAGES = 'https://developer.vonage.com/api-errors/messages';

/** Vonage's `instance` is a trace id: 32 hex digits. */
export function traceId(): string {
  return randomBytes(16).toString('hex');
}

function problem(status: number, type: string, title: string, detail: string, extra: Partial<VonageProblem> = {}): ProblemAnswer {
  return { status, body: { type, title, detail, instance: traceId(), ...extra } };
}

/**
 * The refusals the simulator reproduces. Codes follow Vonage's Messages API error catalogue
 * (developer.vonage.com/api-errors/messages); see the simulator's README comment for what was chosen and why.
 */
export const vonageProblems = {
  unauthorized: () => problem(401, `${GENERIC}#unauthorized`, 'Unauthorized', 'You did not provide correct credentials.'),
  notFound: (path: string) => problem(404, `${GENERIC}#not-found`, 'Not Found', `The requested resource ${path} does not exist, or you do not have access to it.`),
  methodNotAllowed: () => problem(405, `${GENERIC}#method-not-allowed`, 'Method Not Allowed', 'Only POST is allowed on /v1/messages.'),
  invalidJson: () => problem(400, `${GENERIC}#invalid-json`, 'Invalid JSON', 'The request body did not contain valid JSON. Send a JSON body with Content-Type: application/json.'),
  invalidParams: (invalid: { name: string; reason: string }[]) =>
    problem(422, `${MESSAGES}#1150`, 'Invalid params', 'The value of one or more parameters is invalid.', { invalid_parameters: invalid }),
  invalidSender: () => problem(422, `${MESSAGES}#1120`, 'Invalid sender', 'The `from` parameter is invalid for the given channel.'),
  invalidTemplate: (name: string) => problem(422, `${MESSAGES}#1022`, 'Invalid template', `Invalid template or template parameters: "${name}" is not an approved template of this WhatsApp Business Account.`),
  /** WhatsApp's 24-hour customer care window: free-form messages need the contact to have written in the last 24 h. */
  outsideWindow: () =>
    problem(
      422,
      `${MESSAGES}#1340`,
      'Outside Allowed Window',
      'The message was sent outside of the allowed 24 hour customer care window for this WhatsApp user. Send a template message instead.',
    ),
  /** The Voice API's validation failure (400, not the Messages API's 422 with code 1150). */
  badRequest: (invalid: { name: string; reason: string }[]) =>
    problem(400, `${GENERIC}#bad-request`, 'Bad Request', 'The request failed due to validation errors.', { invalid_parameters: invalid }),
  throttled: () => problem(429, `${GENERIC}#throttled`, 'Rate Limit Hit', 'Please wait, then retry your request.'),
  serverFault: (status: number) =>
    status === 503
      ? problem(503, `${GENERIC}#service-unavailable`, 'Service Unavailable', 'The service is temporarily unavailable. Please retry later.')
      : problem(status, `${MESSAGES}#1030`, 'Internal error', 'There was an error processing your request in the Platform.'),
};
