import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * Points a plain `twilio` client at the simulator, for tests that use the SDK directly (the adapter has its
 * own base-URL client). No auto-retry, so faults reach the caller as they happen.
 */
export class SimulatorHttpClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string, timeoutMs = 5000) {
    super({ timeout: timeoutMs, autoRetry: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri);
    return super.request({ ...opts, uri: `${this.baseUrl}${original.pathname}${original.search}` });
  }
}

export function simulatorClient(baseUrl: string, accountSid: string, authToken: string, timeoutMs = 5000): twilio.Twilio {
  return twilio(accountSid, authToken, { httpClient: new SimulatorHttpClient(baseUrl, timeoutMs), autoRetry: false });
}
