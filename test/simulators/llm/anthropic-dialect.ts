import { randomBytes } from 'node:crypto';
import type { IncomingLlmRequest, ParsedLlmRequest, ProviderRefusal, SimulatorDialect, StreamFraming } from './llm-dialect.js';
import { sseEvent } from './llm-dialect.js';
import { contentText, isRecord, roughTokenCount } from './message-content.js';
import type { LlmFault } from './scripted-reply.js';

export interface AnthropicDialectOptions {
  apiKey: string;
  /** Models the account can use; others get 404 not_found_error. Default: any. */
  models?: readonly string[];
}

/** What `GET /v1/models` lists when the account is not limited to some models. */
const LISTED_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5'];

function refusal(status: number, errorType: string, message: string): { refusal: ProviderRefusal } {
  return { refusal: { status, errorType, message } };
}

/** Anthropic's error types and wording by HTTP status (https://docs.claude.com/en/api/errors). */
const STATUS_ERRORS: Readonly<Record<number, { errorType: string; message: string }>> = {
  400: { errorType: 'invalid_request_error', message: 'Invalid request.' },
  401: { errorType: 'authentication_error', message: 'invalid x-api-key' },
  402: { errorType: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.' },
  403: { errorType: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { errorType: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { errorType: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { errorType: 'rate_limit_error', message: 'This request would exceed the rate limit for your organization of 50 requests per minute.' },
  500: { errorType: 'api_error', message: 'Internal server error' },
  504: { errorType: 'timeout_error', message: 'Request timed out' },
  529: { errorType: 'overloaded_error', message: 'Overloaded' },
};

function statusRefusal(status: number): ProviderRefusal {
  const known = STATUS_ERRORS[status] ?? (status >= 500 ? STATUS_ERRORS[500] : STATUS_ERRORS[400]);
  return { status, errorType: known?.errorType ?? 'api_error', message: known?.message ?? 'Error' };
}

function judgeMessages(value: unknown): { refusal: ProviderRefusal } | { messages: { role: string; content: string }[]; system: string[] } {
  if (!Array.isArray(value)) return refusal(400, 'invalid_request_error', 'messages: Field required');
  if (value.length === 0) return refusal(400, 'invalid_request_error', 'messages: at least one message is required');
  const messages: { role: string; content: string }[] = [];
  const system: string[] = [];
  for (const [index, message] of value.entries()) {
    const role = isRecord(message) ? message.role : undefined;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') {
      return refusal(400, 'invalid_request_error', `messages.${index}.role: Input should be 'user', 'assistant' or 'system'`);
    }
    const text = contentText((message as Record<string, unknown>).content);
    if (text === null) return refusal(400, 'invalid_request_error', `messages.${index}.content: Input should be a valid list`);
    if (text.trim().length === 0) return refusal(400, 'invalid_request_error', 'messages: text content blocks must contain non-whitespace text');
    if (role === 'system') system.push(text);
    else messages.push({ role, content: text });
  }
  if (messages[0]?.role !== 'user') return refusal(400, 'invalid_request_error', 'messages: first message must use the "user" role');
  return { messages, system };
}

/** The key (as x-api-key, or as a Bearer token, what SDK 1.x sends) and the anthropic-version header, as the API checks them. */
function refusedHeaders(incoming: IncomingLlmRequest, apiKey: string): { refusal: ProviderRefusal } | null {
  const bearer = incoming.headers.authorization?.startsWith('Bearer ') ? incoming.headers.authorization.slice(7).trim() : undefined;
  const key = incoming.headers['x-api-key'] ?? bearer;
  if (key === undefined) return refusal(401, 'authentication_error', 'x-api-key header is required');
  if (key !== apiKey) return refusal(401, 'authentication_error', 'invalid x-api-key');
  const version = incoming.headers['anthropic-version'];
  if (!version) return refusal(400, 'invalid_request_error', 'anthropic-version: header is required');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) return refusal(400, 'invalid_request_error', `anthropic-version: invalid version ${version.slice(0, 40)}`);
  return null;
}

/** The Messages API as api.anthropic.com speaks it (`POST /v1/messages`), streaming and errors included. */
export function anthropicDialect(options: AnthropicDialectOptions): SimulatorDialect {
  return {
    requestIdHeader: 'request-id',
    newRequestId: () => `req_${randomBytes(12).toString('hex')}`,

    listModels(incoming: IncomingLlmRequest) {
      const refused = refusedHeaders(incoming, options.apiKey);
      if (refused) return refused;
      const data = (options.models ?? LISTED_MODELS).map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' }));
      return { body: { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null } };
    },

    accept(incoming: IncomingLlmRequest) {
      if (incoming.method !== 'POST' || incoming.path !== '/v1/messages') return refusal(404, 'not_found_error', 'Not Found');
      const refused = refusedHeaders(incoming, options.apiKey);
      if (refused) return refused;
      let body: unknown;
      try {
        body = JSON.parse(incoming.rawBody);
      } catch {
        return refusal(400, 'invalid_request_error', 'There was an issue with the formatting of your request body: not valid JSON.');
      }
      if (!isRecord(body)) return refusal(400, 'invalid_request_error', 'The request body must be a JSON object.');
      if (typeof body.model !== 'string' || body.model.length === 0) return refusal(400, 'invalid_request_error', 'model: Field required');
      if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 0) {
        return refusal(400, 'invalid_request_error', 'max_tokens: Field required');
      }
      const judged = judgeMessages(body.messages);
      if ('refusal' in judged) return judged;
      const system = body.system === undefined ? null : contentText(body.system);
      if (body.system !== undefined && system === null) return refusal(400, 'invalid_request_error', 'system: Input should be a valid string');
      const temperature = body.temperature;
      if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 1)) {
        return refusal(400, 'invalid_request_error', 'temperature: Input should be less than or equal to 1');
      }
      if (options.models && !options.models.includes(body.model)) return refusal(404, 'not_found_error', `model: ${body.model}`);
      const instructions = [...(system !== null ? [system] : []), ...judged.system];
      return {
        request: {
          model: body.model,
          stream: body.stream === true,
          maxTokens: body.max_tokens,
          temperature: typeof temperature === 'number' ? temperature : null,
          system: instructions.length > 0 ? instructions.join('\n') : null,
          messages: judged.messages,
          raw: body,
        },
      };
    },

    faultRefusal(fault: Extract<LlmFault, { kind: 'status' }>): ProviderRefusal {
      const base = statusRefusal(fault.status);
      return { ...base, errorType: fault.errorType ?? base.errorType, message: fault.message ?? base.message, retryAfterSeconds: fault.retryAfterSeconds };
    },

    midStreamRefusal(fault: Extract<LlmFault, { kind: 'error-mid-stream' }>): ProviderRefusal {
      return { ...statusRefusal(529), ...(fault.errorType ? { errorType: fault.errorType } : {}) };
    },

    refusalBody(r: ProviderRefusal, requestId: string) {
      return { type: 'error', error: { type: r.errorType, message: r.message }, request_id: requestId };
    },

    streamFraming(request: ParsedLlmRequest, requestId: string): StreamFraming {
      const inputTokens = inputTokenCount(request);
      return {
        begin: () => [
          sseEvent({ type: 'message_start', message: message(request, requestId, [], null, inputTokens, 1) }, 'message_start'),
          sseEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } }, 'content_block_start'),
          sseEvent({ type: 'ping' }, 'ping'),
        ].join(''),
        token: (text) => sseEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta'),
        error: (errorType, text) => sseEvent({
          type: 'error', error: { type: errorType ?? 'overloaded_error', message: text ?? 'Overloaded' }, request_id: requestId,
        }, 'error'),
        end: (stop, tokensSent) => [
          sseEvent({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
          sseEvent({
            type: 'message_delta',
            delta: { stop_reason: stop === 'end' ? 'end_turn' : 'max_tokens', stop_sequence: null, stop_details: null, container: null },
            usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: tokensSent, output_tokens_details: null, server_tool_use: null },
          }, 'message_delta'),
          sseEvent({ type: 'message_stop' }, 'message_stop'),
        ].join(''),
      };
    },

    completion(request: ParsedLlmRequest, tokens: string[], stop: 'end' | 'max_tokens', requestId: string) {
      const content = [{ type: 'text', text: tokens.join(''), citations: null }];
      return message(request, requestId, content, stop === 'end' ? 'end_turn' : 'max_tokens', inputTokenCount(request), tokens.length);
    },
  };
}

function inputTokenCount(request: ParsedLlmRequest): number {
  return roughTokenCount([request.system ?? '', ...request.messages.map((m) => m.content)]);
}

/** A Message object as the API returns it (and as message_start carries it, empty). */
function message(request: ParsedLlmRequest, requestId: string, content: unknown[], stopReason: string | null, inputTokens: number, outputTokens: number) {
  return {
    id: `msg_${requestId.slice(4)}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    container: null,
    diagnostics: null,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    usage: {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  };
}
