/** The text framing of the Edge/Azure speech WebSocket: `Name:value` header lines, a blank line, a body. */
export interface EdgeTextMessage {
  headers: Record<string, string>;
  body: string;
}

export function parseEdgeTextMessage(raw: string): EdgeTextMessage {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function headerBlock(headers: Record<string, string>): string {
  return Object.entries(headers).map(([name, value]) => `${name}:${value}\r\n`).join('');
}

export function edgeTextFrame(requestId: string, path: string, body: unknown): string {
  const headers = { 'X-RequestId': requestId, 'Content-Type': 'application/json; charset=utf-8', 'X-Timestamp': new Date().toISOString(), Path: path };
  return `${headerBlock(headers)}\r\n${JSON.stringify(body)}`;
}

/**
 * A binary audio frame: a big-endian 16-bit header length, the header lines (ending with `Path:audio`),
 * then the audio bytes.
 */
export function edgeAudioFrame(requestId: string, streamId: string, audio: Uint8Array): Buffer {
  const header = Buffer.from(headerBlock({ 'X-RequestId': requestId, 'Content-Type': 'audio/mpeg', 'X-StreamId': streamId, Path: 'audio' }), 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(header.length);
  return Buffer.concat([length, header, audio]);
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Voice name and plain text of the SSML the client sent (tags stripped, entities decoded). */
export function readSsml(ssml: string): { voice: string | null; text: string } {
  const voice = /<voice\s+name=["']([^"']*)["']/.exec(ssml)?.[1] ?? null;
  const inner = /<voice\b[^>]*>([\s\S]*)<\/voice>/.exec(ssml)?.[1] ?? ssml;
  const text = inner
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return XML_ENTITIES[name] ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return { voice, text };
}
