import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { DEFAULT_TWILIO_BASE_URL } from './twilio-options.js';

/**
 * A 429 answer, raised by the transport because only it sees the Retry-After header (the SDK's
 * RestException keeps status and body, not headers).
 */
export class TwilioRateLimitResponse extends Error {
  override readonly name = 'TwilioRateLimitResponse';

  constructor(
    readonly retryAfterSeconds: number | null,
    readonly providerCode: number | null,
  ) {
    super('Twilio answered 429 Too Many Requests');
  }
}

/** Seconds from `Retry-After`, which may be delta-seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now: Date): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function providerCodeOf(body: unknown): number | null {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return null;
    }
  }
  const code = (parsed as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

/**
 * The SDK's HTTP client, pointed at another origin (the SDK only knows `*.twilio.com` hosts), with
 * auto-retry off: retrying is core's decision, and a retried POST can send an SMS twice.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly httpAgent = new HttpAgent({ keepAlive: true });

  constructor(
    private readonly baseUrl: string,
    timeoutMs: number,
    private readonly now: () => Date,
  ) {
    super({ timeout: timeoutMs, autoRetry: false, keepAlive: true });
    this.axios.defaults.httpAgent = this.httpAgent;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const response = await super.request({ ...opts, uri: this.rewrite(opts.uri) });
    if (response.statusCode === 429) {
      throw new TwilioRateLimitResponse(parseRetryAfter(response.headers?.['retry-after'], this.now()), providerCodeOf(response.body));
    }
    return response;
  }

  /** Frees pooled sockets so a closed adapter does not keep the process alive. */
  close(): void {
    this.httpAgent.destroy();
    const httpsAgent: unknown = this.axios.defaults.httpsAgent;
    if (httpsAgent instanceof HttpsAgent) httpsAgent.destroy();
  }

  private rewrite(uri: string): string {
    if (this.baseUrl === DEFAULT_TWILIO_BASE_URL) return uri;
    const original = new URL(uri);
    if (!original.hostname.endsWith('.twilio.com')) return uri;
    return `${this.baseUrl}${original.pathname}${original.search}`;
  }
}
