/** `<ConversationRelay>` inside `<Connect>`: every attribute as written, and its `<Parameter>`s. */
export interface ConversationRelayNoun {
  url: string;
  welcomeGreeting: string | null;
  voice: string | null;
  language: string | null;
  /** As written (none, dtmf, speech, any, true, false); null when absent (Twilio's default is "any"). */
  interruptible: string | null;
  dtmfDetection: boolean;
  /** Every attribute, the ones above included. */
  attributes: Record<string, string>;
  /** `<Parameter name value>` children, passed to the socket's setup message as `customParameters`. */
  parameters: Record<string, string>;
}

/** `<Stream>` inside `<Connect>`: a bidirectional Media Stream to `url`, with its `<Parameter>`s. */
export interface StreamNoun {
  url: string;
  attributes: Record<string, string>;
  parameters: Record<string, string>;
}

export interface ConnectVerb {
  verb: 'Connect';
  /** Requested when what `<Connect>` connected ends; null: Twilio goes on with the next verb instead. */
  action: string | null;
  method: 'GET' | 'POST';
  /** The `<ConversationRelay>` noun; null when `<Connect>` holds anything else (`nouns` says what). */
  relay: ConversationRelayNoun | null;
  /** The `<Stream>` noun; null when `<Connect>` holds something else. */
  stream: StreamNoun | null;
  nouns: string[];
}

/** The voice TwiML verbs the simulated callee understands; anything else is reported as unsupported. */
export type VoiceVerb =
  | { verb: 'Play'; url: string; loop: number }
  | { verb: 'Say'; text: string; loop: number }
  | { verb: 'Pause'; seconds: number }
  | { verb: 'Hangup' }
  | ConnectVerb
  /** `<Start><Recording>`: record the call from here on; `recording` is null when `<Start>` holds anything else. */
  | { verb: 'Start'; recording: { statusCallback: string | null; events: string[]; channels: string | null } | null; nouns: string[] }
  /** `<Dial>` of one number (as text or a `<Number>` noun); `number` is empty when there is none. */
  | { verb: 'Dial'; number: string; callerId: string | null }
  | { verb: 'Unsupported'; name: string };

/** The document is not well-formed XML, or not a <Response> (Twilio: 12100 Document parse failure). */
export class TwimlParseError extends Error {
  override readonly name = 'TwimlParseError';
}

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const known = ENTITIES[entity];
    if (known === undefined) throw new TwimlParseError(`unknown entity ${whole}`);
    return known;
  });
}

const TAG = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTRIBUTE = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** A small, strict XML reader: elements, attributes, text, comments, the XML declaration. No DTDs or CDATA. */
function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let index = 0;
  while (index < source.length) {
    const current = stack[stack.length - 1] ?? root;
    const next = source.indexOf('<', index);
    const text = source.slice(index, next === -1 ? source.length : next);
    if (text.trim() !== '') {
      if (current === root) throw new TwimlParseError('text outside the root element');
      current.text += decodeEntities(text);
    }
    if (next === -1) break;
    if (source.startsWith('<?', next)) {
      const end = source.indexOf('?>', next);
      if (end === -1) throw new TwimlParseError('unterminated processing instruction');
      index = end + 2;
      continue;
    }
    if (source.startsWith('<!--', next)) {
      const end = source.indexOf('-->', next);
      if (end === -1) throw new TwimlParseError('unterminated comment');
      index = end + 3;
      continue;
    }
    TAG.lastIndex = next;
    const match = TAG.exec(source);
    if (!match) throw new TwimlParseError(`malformed tag at offset ${next}`);
    const [whole, closing, name = '', rawAttributes = '', selfClosing] = match;
    index = next + whole.length;
    if (closing) {
      if (current.name !== name || rawAttributes.trim() !== '' || selfClosing) throw new TwimlParseError(`unexpected </${name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const attribute of rawAttributes.matchAll(ATTRIBUTE)) {
      attributes[attribute[1] ?? ''] = decodeEntities(attribute[2] ?? attribute[3] ?? '');
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (current === root && root.children.length > 0) throw new TwimlParseError('more than one root element');
    current.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new TwimlParseError(`<${stack[stack.length - 1]?.name ?? ''}> is not closed`);
  const [documentElement] = root.children;
  if (!documentElement) throw new TwimlParseError('empty document');
  return documentElement;
}

function count(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

/** Twilio plays `loop="0"` until the call ends, at most 1000 times. */
const ENDLESS_LOOP = 1000;

function toVerb(element: XmlElement): VoiceVerb {
  switch (element.name) {
    case 'Play': {
      const loop = count(element.attributes.loop, 1);
      return { verb: 'Play', url: element.text.trim(), loop: loop === 0 ? ENDLESS_LOOP : loop };
    }
    case 'Say': {
      const loop = count(element.attributes.loop, 1);
      return { verb: 'Say', text: element.text.trim(), loop: loop === 0 ? ENDLESS_LOOP : loop };
    }
    case 'Pause':
      return { verb: 'Pause', seconds: count(element.attributes.length, 1) };
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Connect':
      return toConnect(element);
    case 'Start': {
      const recording = element.children.find((child) => child.name === 'Recording');
      return {
        verb: 'Start',
        nouns: element.children.map((child) => child.name),
        recording: recording ? {
          statusCallback: recording.attributes.recordingStatusCallback ?? null,
          events: (recording.attributes.recordingStatusCallbackEvent ?? 'completed').split(/\s+/).filter(Boolean),
          channels: recording.attributes.channels ?? null,
        } : null,
      };
    }
    case 'Dial': {
      const number = element.children.find((child) => child.name === 'Number')?.text ?? element.text;
      return { verb: 'Dial', number: number.trim(), callerId: element.attributes.callerId ?? null };
    }
    default:
      return { verb: 'Unsupported', name: element.name };
  }
}

function parametersOf(element: XmlElement): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const child of element.children) {
    if (child.name === 'Parameter' && child.attributes.name !== undefined) parameters[child.attributes.name] = child.attributes.value ?? '';
  }
  return parameters;
}

function toRelay(element: XmlElement): ConversationRelayNoun {
  const { attributes } = element;
  const parameters = parametersOf(element);
  return {
    url: attributes.url ?? '',
    welcomeGreeting: attributes.welcomeGreeting ?? null,
    voice: attributes.voice ?? null,
    language: attributes.language ?? null,
    interruptible: attributes.interruptible ?? null,
    dtmfDetection: attributes.dtmfDetection === 'true',
    attributes: { ...attributes },
    parameters,
  };
}

function toConnect(element: XmlElement): ConnectVerb {
  const relay = element.children.find((child) => child.name === 'ConversationRelay');
  const stream = element.children.find((child) => child.name === 'Stream');
  return {
    verb: 'Connect',
    action: element.attributes.action ?? null,
    method: element.attributes.method?.toUpperCase() === 'GET' ? 'GET' : 'POST',
    relay: relay ? toRelay(relay) : null,
    stream: stream ? { url: stream.attributes.url ?? '', attributes: { ...stream.attributes }, parameters: parametersOf(stream) } : null,
    nouns: element.children.map((child) => child.name),
  };
}

/** The verbs of a voice TwiML document, in order. */
export function parseVoiceTwiml(source: string): VoiceVerb[] {
  const document = parseXml(source);
  if (document.name !== 'Response') throw new TwimlParseError(`the root element is <${document.name}>, not <Response>`);
  return document.children.map(toVerb);
}
