import { createHash, randomBytes, randomUUID } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';

/** The public client token of Edge's Read Aloud feature (not a secret: it ships in the browser). */
const TRUSTED_CLIENT_TOKEN = '6A5AA1D4EAFF4E9FB37E23D68491D6F4';
/** The Edge version the service expects clients to present; Microsoft refuses outdated ones. */
const EDGE_VERSION = '143.0.3650.96';
const WINDOWS_EPOCH_OFFSET_S = 11644473600;
const HEADERS = {
  'User-Agent': `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${EDGE_VERSION.split('.')[0]}.0.0.0 Safari/537.36 Edg/${EDGE_VERSION.split('.')[0]}.0.0.0`,
  Origin: 'chrome-extension://jdiccldimpdaibmpdkjnbmckianbfold',
};

/** Edge's time-based `Sec-MS-GEC` token: SHA-256 of the Windows file time rounded down to 5 minutes, then the client token. */
export function secMsGec(now: Date): string {
  const ticks = Math.floor(now.getTime() / 1000) + WINDOWS_EPOCH_OFFSET_S;
  const windowsTicks = (ticks - (ticks % 300)) * 10_000_000;
  return createHash('sha256').update(`${windowsTicks}${TRUSTED_CLIENT_TOKEN}`, 'ascii').digest('hex').toUpperCase();
}

/** A text message of the speech protocol: `Name:value` header lines, a blank line, the body. */
function textMessage(headers: Record<string, string>, body: string): string {
  return `${Object.entries(headers).map(([name, value]) => `${name}:${value}\r\n`).join('')}\r\n${body}`;
}

/** The value of header `name` in a block of `Name:value` lines. */
function header(block: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'im').exec(block)?.[1]?.trim();
}

function rawBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
}

/**
 * One synthesis over Edge's Read Aloud WebSocket, spoken directly with `ws` (the protocol msedge-tts and
 * edge-tts speak: `speech.config`, then `ssml`; the service answers `turn.start`, binary `audio` frames and
 * `turn.end`). `text` must already be SSML-safe (see ssml-text.ts). Resolves with every audio byte once the
 * turn ends; an unknown voice gets a turn without audio. Rejects when the upgrade is refused (the `ws`
 * error names the HTTP status) or the socket closes before `turn.end` (the audio would be truncated).
 */
export class ReadAloudConnection {
  private socket: WebSocket | null = null;

  constructor(private readonly wssUrl: string, private readonly now: () => Date) {}

  speak(voice: string, text: string, outputFormat: string): Promise<Uint8Array> {
    const url = new URL(this.wssUrl);
    url.searchParams.set('TrustedClientToken', TRUSTED_CLIENT_TOKEN);
    url.searchParams.set('Sec-MS-GEC', secMsGec(this.now()));
    url.searchParams.set('Sec-MS-GEC-Version', `1-${EDGE_VERSION}`);
    url.searchParams.set('ConnectionId', randomUUID().replaceAll('-', ''));
    const socket = new WebSocket(url, { headers: HEADERS });
    this.socket = socket;
    const requestId = randomBytes(16).toString('hex');
    const chunks: Buffer[] = [];
    return new Promise<Uint8Array>((resolve, reject) => {
      let ended = false;
      socket.once('open', () => {
        const timestamp = this.now().toISOString();
        const config = { context: { synthesis: { audio: { metadataoptions: { sentenceBoundaryEnabled: 'false', wordBoundaryEnabled: 'false' }, outputFormat } } } };
        socket.send(textMessage({ 'X-Timestamp': timestamp, 'Content-Type': 'application/json; charset=utf-8', Path: 'speech.config' }, JSON.stringify(config)));
        const locale = /^[a-z]{2,3}-[A-Za-z0-9]+/.exec(voice)?.[0] ?? 'en-US';
        const ssml = `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xmlns:mstts="https://www.w3.org/2001/mstts" xml:lang="${locale}">` +
          `<voice name="${voice}"><prosody pitch="+0Hz" rate="+0%" volume="+0%">${text}</prosody></voice></speak>`;
        socket.send(textMessage({ 'X-RequestId': requestId, 'Content-Type': 'application/ssml+xml', 'X-Timestamp': timestamp, Path: 'ssml' }, ssml));
      });
      socket.on('message', (data: RawData, isBinary: boolean) => {
        const bytes = rawBytes(data);
        if (isBinary) {
          // A big-endian 16-bit header length, the header lines, then the audio bytes.
          const headerLength = bytes.readUInt16BE(0);
          const headers = bytes.subarray(2, 2 + headerLength).toString('utf8');
          if (header(headers, 'Path') === 'audio' && header(headers, 'X-RequestId') === requestId) chunks.push(bytes.subarray(2 + headerLength));
          return;
        }
        const text = bytes.toString('utf8');
        if (header(text, 'Path') === 'turn.end' && header(text, 'X-RequestId') === requestId) {
          ended = true;
          resolve(new Uint8Array(Buffer.concat(chunks)));
          socket.close();
        }
      });
      socket.once('error', reject);
      socket.once('close', () => {
        if (!ended) reject(new Error('Edge TTS closed the connection before the synthesis completed (no turn.end): the audio would be truncated.'));
      });
    });
  }

  close(): void {
    this.socket?.terminate();
    this.socket = null;
  }
}
