import { request } from 'node:http';

export interface GetAnswer {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for URLs the simulator may fetch: plain HTTP on this machine, never the network. */
export function isLoopbackHttpUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const target = new URL(url);
  return target.protocol === 'http:' && LOOPBACK_HOSTS.has(target.hostname);
}

/** GETs a loopback URL the way Twilio's fetcher does; rejects when no answer came or the body is too large. */
export function loopbackGet(url: string, headers: Record<string, string>, timeoutMs: number, maxBytes: number): Promise<GetAnswer> {
  if (!isLoopbackHttpUrl(url)) return Promise.reject(new Error(`The simulator only fetches http:// loopback URLs, not ${url}`));
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(url), { method: 'GET', agent: false, headers, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) {
          outgoing.destroy(new Error(`${url} is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        const answerHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers: answerHeaders, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`No answer from ${url} within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
