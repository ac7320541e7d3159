/** Resend's error JSON: `{"statusCode":…,"name":…,"message":…}` (the `name` values are Resend's own error codes). */
export interface ResendErrorBody {
  statusCode: number;
  name: string;
  message: string;
}

/** An HTTP answer of the simulated API. */
export interface ApiAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function error(statusCode: number, name: string, message: string, headers?: Record<string, string>): ApiAnswer {
  const body: ResendErrorBody = { statusCode, name, message };
  return headers ? { status: statusCode, body, headers } : { status: statusCode, body };
}

/** The error answers Resend documents, with its wording. */
export const resendErrors = {
  missingApiKey: () => error(401, 'missing_api_key', 'Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY'),
  invalidApiKey: () => error(403, 'invalid_api_key', 'API key is invalid'),
  restrictedApiKey: () => error(401, 'restricted_api_key', 'This API key is restricted to only send emails'),
  notFound: (what = 'The requested endpoint does not exist.') => error(404, 'not_found', what),
  methodNotAllowed: () => error(405, 'method_not_allowed', 'Method is not allowed for the requested path.'),
  invalidJson: () => error(400, 'validation_error', 'Invalid JSON body.'),
  invalidIdempotencyKey: () => error(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.'),
  idempotentRequestMismatch: () => error(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.'),
  missingField: (field: string) => error(422, 'missing_required_field', `Missing \`${field}\` field.`),
  invalidField: (field: string, expected: string) => error(422, 'validation_error', `Invalid \`${field}\` field. ${expected}`),
  invalidAddress: (field: string) => error(
    422,
    field === 'from' ? 'invalid_from_address' : 'validation_error',
    `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
  ),
  unknownFields: (fields: string[]) => error(422, 'validation_error', `Invalid fields: ${fields.map((f) => `\`${f}\``).join(', ')}.`),
  missingBody: () => error(422, 'validation_error', 'Missing `html` or `text` field.'),
  invalidAttachment: (message = 'Attachment must have either a `content` or `path`.') => error(422, 'invalid_attachment', message),
  invalidParameter: (name: string) => error(422, 'invalid_parameter', `The \`${name}\` must be a valid UUID.`),
  rateLimited: (retryAfterSeconds: number | undefined) => error(
    429,
    'rate_limit_exceeded',
    'Too many requests. You can only make 2 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.',
    {
      'ratelimit-limit': '2',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(retryAfterSeconds ?? 1),
      ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
    },
  ),
  serverFault: (status: number) => error(status, 'internal_server_error', 'An unexpected error occurred.'),
  authFault: (status: 401 | 403) => (status === 401 ? resendErrors.missingApiKey() : resendErrors.invalidApiKey()),
};
