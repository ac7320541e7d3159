/** What our server may send on a ConversationRelay socket, as Twilio reads it. */
export type RelayInbound =
  | { type: 'text'; token: string; last: boolean }
  | { type: 'play'; source: string }
  | { type: 'sendDigits'; digits: string }
  | { type: 'language'; ttsLanguage: string | null; transcriptionLanguage: string | null }
  /** `handoffData` as sent; a non-string value is kept as its JSON and also reported as a problem. */
  | { type: 'end'; handoffData: string | null; problem: string | null }
  /** Something Twilio cannot act on (it logs 64107 and answers with an `error` message). */
  | { type: 'invalid'; reason: string };

/** Parses one message from our server; `message` is the JSON object, or null when it was none. */
export function readRelayMessage(raw: string): { message: Record<string, unknown> | null; inbound: RelayInbound } {
  let message: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) message = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: invalid below.
  }
  if (!message) return { message, inbound: { type: 'invalid', reason: 'not a JSON object' } };
  const fields = message;
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : null);
  const invalid = (reason: string) => ({ message: fields, inbound: { type: 'invalid', reason } as const });
  switch (fields.type) {
    case 'text': {
      const token = text('token');
      return token === null ? invalid('a text message without a string token') : { message, inbound: { type: 'text', token, last: fields.last === true } };
    }
    case 'play': {
      const source = text('source');
      return source === null ? invalid('a play message without a source') : { message, inbound: { type: 'play', source } };
    }
    case 'sendDigits': {
      const digits = text('digits');
      return digits === null ? invalid('a sendDigits message without digits') : { message, inbound: { type: 'sendDigits', digits } };
    }
    case 'language':
      return { message, inbound: { type: 'language', ttsLanguage: text('ttsLanguage'), transcriptionLanguage: text('transcriptionLanguage') } };
    case 'end': {
      const handoff = fields.handoffData;
      if (handoff === undefined || handoff === null) return { message, inbound: { type: 'end', handoffData: null, problem: null } };
      if (typeof handoff === 'string') return { message, inbound: { type: 'end', handoffData: handoff, problem: null } };
      return { message, inbound: { type: 'end', handoffData: JSON.stringify(handoff), problem: 'handoffData is not a string' } };
    }
    default:
      return invalid(`unknown message type ${JSON.stringify(fields.type ?? null)}`);
  }
}
