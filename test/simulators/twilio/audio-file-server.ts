import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  contentType: string;
  body: Uint8Array;
  /** HTTP status to answer with. Default 200. */
  status?: number;
}

/** A loopback HTTP server for the media (and TwiML) the simulated callee downloads; it records every request. */
export class AudioFileServer {
  readonly requests: { method: string; path: string; headers: Record<string, string | undefined> }[] = [];
  private readonly files = new Map<string, ServedFile>();
  private server: Server | null = null;
  private origin: string | null = null;

  get baseUrl(): string {
    if (!this.origin) throw new Error('AudioFileServer is not started');
    return this.origin;
  }

  /** Serves `file` at `path` (e.g. `/audio/hello.wav`); returns its full URL. */
  serve(path: string, file: ServedFile): string {
    this.files.set(path, file);
    return `${this.baseUrl}${path}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      this.requests.push({ method: req.method ?? 'GET', path, headers });
      req.resume();
      req.on('end', () => {
        const file = this.files.get(path);
        if (!file) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
          return;
        }
        res.writeHead(file.status ?? 200, { 'content-type': file.contentType, 'content-length': file.body.length });
        res.end(file.body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A canonical PCM WAV of silence (mono): `seconds` long at `sampleRate` with `bits` per sample. */
export function silentWav(seconds: number, options: { sampleRate?: number; bits?: 8 | 16; mulaw?: boolean } = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 8000;
  const bits = options.mulaw ? 8 : (options.bits ?? 16);
  const blockAlign = bits / 8;
  const dataBytes = Math.round(seconds * sampleRate) * blockAlign;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => { out[offset + i] = c.charCodeAt(0); });
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, options.mulaw ? 7 : 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  // μ-law silence is 0xFF; 8-bit PCM silence is 128; 16-bit PCM silence is 0.
  out.fill(options.mulaw ? 0xff : bits === 8 ? 128 : 0, 44);
  return out;
}
