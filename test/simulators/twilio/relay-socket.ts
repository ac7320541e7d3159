import WebSocket from 'ws';
import twilio from 'twilio';
import type { SignatureMode } from './twilio-webhook-signing.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type RelayOpening =
  | { ok: true; socket: WebSocket }
  /** `status` is the HTTP status of a refused upgrade; null when no HTTP answer came at all. */
  | { ok: false; status: number | null; reason: string };

/**
 * The headers of ConversationRelay's upgrade request. `X-Twilio-Signature` signs the exact `url` of the TwiML with
 * no parameters, as Twilio signs it; a forger signs with the wrong token.
 */
export function relayUpgradeHeaders(authToken: string, url: string, mode: SignatureMode): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': 'Twilio.TmeWs/1.0' };
  if (mode !== 'missing') {
    const key = mode === 'valid' ? authToken : `forged-${authToken.slice(0, 4)}`;
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(key, url, {});
  }
  return headers;
}

/** Opens the relay socket the way Twilio does; never rejects: a refusal or failure is the answer. */
export function openRelaySocket(url: string, headers: Record<string, string>, timeoutMs: number): Promise<RelayOpening> {
  if (!URL.canParse(url)) return Promise.resolve({ ok: false, status: null, reason: `"${url.slice(0, 200)}" is not a URL` });
  const target = new URL(url);
  // Loopback only: the simulator never reaches the network, so a public wss:// URL fails as an unreachable host would.
  if (target.protocol !== 'ws:' || !LOOPBACK_HOSTS.has(target.hostname)) {
    return Promise.resolve({ ok: false, status: null, reason: `the simulator only connects to ws:// loopback URLs, not ${url}` });
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (opening: RelayOpening) => {
      if (settled) return;
      settled = true;
      resolve(opening);
    };
    const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs, perMessageDeflate: false });
    socket.once('open', () => settle({ ok: true, socket }));
    socket.once('unexpected-response', (request, response) => {
      settle({ ok: false, status: response.statusCode ?? null, reason: `the upgrade was refused with HTTP ${response.statusCode ?? '?'}` });
      // With a listener on unexpected-response, ending the request is ours to do.
      response.resume();
      request.destroy();
    });
    socket.on('error', (err) => settle({ ok: false, status: null, reason: err.message }));
  });
}
