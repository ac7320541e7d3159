import { AgentReplyError } from './agent-reply-error.js';
import { sseEvents } from './sse-events.js';

/** The media type of an answer, lower-cased and without parameters; '' when absent. */
function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function textOf(json: string, where: string): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new AgentReplyError('protocol', `${where} is not JSON`);
  }
  const text = (value as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') throw new AgentReplyError('protocol', `${where} has no "text" string`);
  return text;
}

/** `data: {"text":"…"}` events, until `data: [DONE]` or the end of the body; `event: error` is a failure. */
async function* fromEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  for await (const event of sseEvents(body)) {
    if (event.event === 'error') throw new AgentReplyError('agent-error', 'the agent reported an error part-way through its reply');
    if (event.event !== 'message') continue;
    if (event.data.trim() === '[DONE]') return;
    yield textOf(event.data, 'an event of the reply');
  }
}

/** Chunked plain text: every piece is spoken as it arrives. */
async function* fromPlainText(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of body) yield decoder.decode(chunk, { stream: true });
  yield decoder.decode();
}

/** A whole reply at once, `{"text":"…"}`: agents that cannot stream still work, only later. */
async function* fromJson(response: Response): AsyncGenerator<string> {
  yield textOf(await response.text(), 'the reply');
}

/**
 * The text of a 2xx answer of the agent, as it arrives, chosen by Content-Type: `text/event-stream`,
 * `text/plain` (also assumed when the agent names none), or `application/json`; 204 means "say nothing".
 */
export function agentReplyText(response: Response): AsyncIterable<string> {
  const body = response.body;
  if (response.status === 204 || body === null) return (async function* () {})();
  const type = mediaType(response);
  if (type === 'text/event-stream') return fromEventStream(body);
  if (type === 'text/plain' || type === '') return fromPlainText(body);
  if (type === 'application/json') return fromJson(response);
  void body.cancel().catch(() => {});
  throw new AgentReplyError('protocol', `the agent answered with Content-Type ${type.slice(0, 60)}`);
}
