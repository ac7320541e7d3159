/** Error bodies in the shapes the ElevenLabs API answers with (FastAPI: `detail` object, or a list for 422). */
export interface ElevenLabsErrorAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function detail(status: number, code: string, message: string, headers?: Record<string, string>): ElevenLabsErrorAnswer {
  return { status, body: { detail: { status: code, message } }, headers };
}

export const elevenLabsErrors = {
  missingApiKey: () => detail(401, 'missing_api_key', 'You need to provide an API key in the xi-api-key header.'),
  invalidApiKey: () => detail(401, 'invalid_api_key', 'Invalid API key'),
  missingPermission: (permission: string) => detail(401, 'missing_permissions', `The API key you used is missing the permission ${permission} to execute this operation.`),
  voiceNotFound: (voiceId: string) => detail(404, 'voice_not_found', `A voice with the voice_id ${voiceId} was not found.`),
  modelNotFound: (modelId: string) => detail(400, 'model_not_found', `A model with model ID ${modelId} does not exist.`),
  textTooLong: (limit: number, length: number) =>
    detail(400, 'max_character_limit_exceeded', `Text is too long: ${length} characters, the model accepts at most ${limit}.`),
  emptyText: () => detail(400, 'empty_text', 'The text must not be empty.'),
  tooManyRequests: (retryAfterSeconds?: number) =>
    detail(429, 'too_many_concurrent_requests', 'Too many concurrent requests for your subscription. Please retry later.',
      retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : undefined),
  serverFault: (status: number) => detail(status, 'internal_server_error', 'An internal error occurred. Please try again.'),
  notFound: () => ({ status: 404, body: { detail: 'Not Found' } }),
  methodNotAllowed: () => ({ status: 405, body: { detail: 'Method Not Allowed' } }),
  /** FastAPI request validation: a list of problems with their location. */
  validation: (loc: string[], msg: string, type: string): ElevenLabsErrorAnswer => ({ status: 422, body: { detail: [{ loc, msg, type }] } }),
};
