import type { LlmFault } from './scripted-reply.js';

/** The parts of a chat request the simulators understand and record, whatever the provider. */
export interface ParsedLlmRequest {
  model: string;
  stream: boolean;
  maxTokens: number | null;
  temperature: number | null;
  /** Instructions: Anthropic's `system`, or OpenAI's system/developer messages joined. */
  system: string | null;
  /** The conversation without system messages, each content flattened to its text. */
  messages: { role: string; content: string }[];
  /** The whole JSON body, for dialect-specific fields. */
  raw: Record<string, unknown>;
}

/** An HTTP error as the provider would answer it. */
export interface ProviderRefusal {
  status: number;
  errorType: string;
  message: string;
  /** OpenAI's `code` (`invalid_api_key`, `model_not_found` …). */
  code?: string | null;
  param?: string | null;
  retryAfterSeconds?: number;
}

/** Raw request facts a dialect judges. Header names are lower-cased. */
export interface IncomingLlmRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

/** How one provider frames a streamed reply as Server-Sent Events; each method returns the text to write. */
export interface StreamFraming {
  /** Content-Type of the stream. Default `text/event-stream; charset=utf-8`. */
  contentType?: string;
  /** Written right after the headers (Anthropic's message_start, content_block_start and a ping). */
  begin(): string;
  /** One text token; `index` 0 is the first. */
  token(text: string, index: number): string;
  /** The provider's in-stream error; null when the framing has none (the connection is cut instead). */
  error(errorType: string | undefined, message: string | undefined): string | null;
  /** The closing events, after the last token. */
  end(stop: 'end' | 'max_tokens', tokensSent: number): string;
}

/** Everything provider-specific about a simulated chat API; `LlmSimulator` does the rest. */
export interface SimulatorDialect {
  /** Response header carrying the request id (`x-request-id`, `request-id`). */
  requestIdHeader: string;
  newRequestId(): string;
  /** `GET /v1/models` (what a credential check reads): the provider's list, or its refusal of the credentials; absent where the API has none. */
  listModels?(request: IncomingLlmRequest): { refusal: ProviderRefusal } | { body: unknown };
  /** A refusal of the route, credentials, headers or body, in the provider's words; or the parsed request. */
  accept(request: IncomingLlmRequest): { refusal: ProviderRefusal } | { request: ParsedLlmRequest };
  /** The refusal an injected `status` fault produces. */
  faultRefusal(fault: Extract<LlmFault, { kind: 'status' }>): ProviderRefusal;
  /** A non-streamed request whose script fails mid-stream fails as a whole, like this. */
  midStreamRefusal(fault: Extract<LlmFault, { kind: 'error-mid-stream' }>): ProviderRefusal;
  refusalBody(refusal: ProviderRefusal, requestId: string): unknown;
  streamFraming(request: ParsedLlmRequest, requestId: string): StreamFraming;
  /** The whole reply of a non-streamed request. */
  completion(request: ParsedLlmRequest, tokens: string[], stop: 'end' | 'max_tokens', requestId: string): unknown;
}

/** One SSE event, with or without an `event:` line. */
export function sseEvent(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}
