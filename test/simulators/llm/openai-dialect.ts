import { randomBytes } from 'node:crypto';
import type { IncomingLlmRequest, ParsedLlmRequest, ProviderRefusal, SimulatorDialect, StreamFraming } from './llm-dialect.js';
import { sseEvent } from './llm-dialect.js';
import { contentText, isRecord, roughTokenCount } from './message-content.js';
import type { LlmFault } from './scripted-reply.js';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
const SYSTEM_FINGERPRINT = 'fp_sim00001';

export interface OpenAiDialectOptions {
  /** The Bearer key required; null accepts any or none (as Ollama, vLLM and LM Studio do by default). */
  apiKey: string | null;
  /** Models the server has; others get 404 model_not_found. Default: any. */
  models?: readonly string[];
}

function refusal(status: number, message: string, errorType: string, code: string | null = null, param: string | null = null): { refusal: ProviderRefusal } {
  return { refusal: { status, message, errorType, code, param } };
}

/** OpenAI shows a wrong key only masked. */
function masked(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

/** What `GET /v1/models` lists when the server is not limited to some models. */
const LISTED_MODELS = ['gpt-4o-mini', 'gpt-4.1'];

/** The Bearer key as api.openai.com checks it; a server without a key (a local one) takes anything. */
function refusedKey(incoming: IncomingLlmRequest, apiKey: string | null): { refusal: ProviderRefusal } | null {
  if (apiKey === null) return null;
  const auth = incoming.headers.authorization ?? '';
  if (!auth.startsWith('Bearer ')) {
    return refusal(401, 'You didn\'t provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you\'re accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.', 'invalid_request_error');
  }
  const key = auth.slice('Bearer '.length).trim();
  if (key !== apiKey) {
    return refusal(401, `Incorrect API key provided: ${masked(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
  }
  return null;
}

/** Chat Completions as api.openai.com speaks it (`POST /v1/chat/completions`), errors included. */
export function openAiDialect(options: OpenAiDialectOptions): SimulatorDialect {
  return {
    requestIdHeader: 'x-request-id',
    newRequestId: () => `req_${randomBytes(16).toString('hex')}`,

    listModels(incoming: IncomingLlmRequest) {
      const refused = refusedKey(incoming, options.apiKey);
      if (refused) return refused;
      const data = (options.models ?? LISTED_MODELS).map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' }));
      return { body: { object: 'list', data } };
    },

    accept(incoming: IncomingLlmRequest) {
      if (incoming.method !== 'POST' || incoming.path !== '/v1/chat/completions') {
        return refusal(404, `Invalid URL (${incoming.method} ${incoming.path})`, 'invalid_request_error');
      }
      const refused = refusedKey(incoming, options.apiKey);
      if (refused) return refused;
      let body: unknown;
      try {
        body = JSON.parse(incoming.rawBody);
      } catch {
        return refusal(400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)', 'invalid_request_error');
      }
      if (!isRecord(body)) return refusal(400, 'The request body must be a JSON object.', 'invalid_request_error');
      if (typeof body.model !== 'string' || body.model.length === 0) return refusal(400, 'you must provide a model parameter', 'invalid_request_error');
      if (!Array.isArray(body.messages) || body.messages.length === 0) {
        return refusal(400, `[] is too short - 'messages'`, 'invalid_request_error', 'empty_array', 'messages');
      }
      const messages: { role: string; content: string }[] = [];
      const system: string[] = [];
      for (const [index, message] of body.messages.entries()) {
        const role = isRecord(message) ? message.role : undefined;
        if (typeof role !== 'string' || !ROLES.includes(role)) {
          return refusal(400, `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, 'invalid_request_error', 'invalid_value', `messages[${index}].role`);
        }
        const text = contentText((message as Record<string, unknown>).content);
        if (text === null) return refusal(400, `Invalid type for 'messages[${index}].content'.`, 'invalid_request_error', 'invalid_type', `messages[${index}].content`);
        if (role === 'system' || role === 'developer') system.push(text);
        else messages.push({ role, content: text });
      }
      const temperature = body.temperature;
      if (temperature !== undefined && temperature !== null && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
        return refusal(400, `Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${String(temperature)} instead.`, 'invalid_request_error', 'decimal_above_max_value', 'temperature');
      }
      if (options.models && !options.models.includes(body.model)) {
        return refusal(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
      }
      const maxTokens = body.max_completion_tokens ?? body.max_tokens;
      return {
        request: {
          model: body.model,
          stream: body.stream === true,
          maxTokens: typeof maxTokens === 'number' ? maxTokens : null,
          temperature: typeof temperature === 'number' ? temperature : null,
          system: system.length > 0 ? system.join('\n') : null,
          messages,
          raw: body,
        },
      };
    },

    faultRefusal(fault: Extract<LlmFault, { kind: 'status' }>): ProviderRefusal {
      const base = statusRefusal(fault.status);
      return { ...base, errorType: fault.errorType ?? base.errorType, message: fault.message ?? base.message, retryAfterSeconds: fault.retryAfterSeconds };
    },

    midStreamRefusal(): ProviderRefusal {
      return statusRefusal(500);
    },

    refusalBody(r: ProviderRefusal) {
      return { error: { message: r.message, type: r.errorType, param: r.param ?? null, code: r.code ?? null } };
    },

    streamFraming(request: ParsedLlmRequest, requestId: string): StreamFraming {
      const id = `chatcmpl-${requestId.slice(4, 30)}`;
      const created = Math.floor(Date.now() / 1000);
      const chunk = (delta: Record<string, unknown>, finishReason: string | null) => sseEvent({
        id, object: 'chat.completion.chunk', created, model: request.model, service_tier: 'default', system_fingerprint: SYSTEM_FINGERPRINT,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      });
      const roleChunk = () => chunk({ role: 'assistant', content: '', refusal: null }, null);
      const includeUsage = isRecord(request.raw.stream_options) && request.raw.stream_options.include_usage === true;
      const sent: string[] = [];
      return {
        begin: () => '',
        token: (text, index) => {
          sent.push(text);
          return `${index === 0 ? roleChunk() : ''}${chunk({ content: text }, null)}`;
        },
        error: (errorType, message) => sseEvent({
          error: { message: message ?? 'The server had an error while processing your request. Sorry about that!', type: errorType ?? 'server_error', param: null, code: null },
        }),
        end: (stop, tokensSent) => {
          const usage = includeUsage
            ? sseEvent({ id, object: 'chat.completion.chunk', created, model: request.model, service_tier: 'default', system_fingerprint: SYSTEM_FINGERPRINT, choices: [], usage: usageOf(request, sent) })
            : '';
          return `${tokensSent === 0 ? roleChunk() : ''}${chunk({}, stop === 'end' ? 'stop' : 'length')}${usage}${sseEvent('[DONE]')}`;
        },
      };
    },

    completion(request: ParsedLlmRequest, tokens: string[], stop: 'end' | 'max_tokens', requestId: string) {
      return {
        id: `chatcmpl-${requestId.slice(4, 30)}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [{
          index: 0,
          message: { role: 'assistant', content: tokens.join(''), refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: stop === 'end' ? 'stop' : 'length',
        }],
        usage: usageOf(request, tokens),
        service_tier: 'default',
        system_fingerprint: SYSTEM_FINGERPRINT,
      };
    },
  };
}

function usageOf(request: ParsedLlmRequest, completion: string[]) {
  const prompt = roughTokenCount([request.system ?? '', ...request.messages.map((m) => m.content)]);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion.length,
    total_tokens: prompt + completion.length,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** OpenAI's error body for a status. */
function statusRefusal(status: number): ProviderRefusal {
  switch (status) {
    case 401:
      return { status, errorType: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided: sk-***********************xxxx. You can find your API key at https://platform.openai.com/account/api-keys.' };
    case 403:
      return { status, errorType: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' };
    case 404:
      return { status, errorType: 'invalid_request_error', code: 'model_not_found', message: 'The model `unknown` does not exist or you do not have access to it.' };
    case 429:
      return { status, errorType: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.' };
    case 503:
      return { status, errorType: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' };
    default:
      return status >= 500
        ? { status, errorType: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' }
        : { status, errorType: 'invalid_request_error', code: null, message: 'Invalid request.' };
  }
}
