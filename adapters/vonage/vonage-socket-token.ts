import jwt from 'jsonwebtoken';

/**
 * Vonage signs no WebSocket upgrade (the NCCO's `headers` only reach the socket's first message, after it is
 * open), so the adapter signs the URL it gives Vonage: a short JWT (HS256, the account's signature secret) for
 * exactly that socket path, carried as `token` in the query. The upgrade is refused without it, before any
 * work. The audience keeps it apart from Vonage's own webhook JWTs (which carry a body hash, and no audience).
 */
const AUDIENCE = 'agentos-comms:voice-socket';
const PARAM = 'token';
/** Long enough for an outbound call to ring out (Vonage: at most 120 s) and be answered; a leaked URL soon stops working. */
export const SOCKET_TOKEN_TTL_SECONDS = 600;

/** `socketUrl` with a token for its path. */
export function signSocketUrl(socketUrl: string, secret: string, now: Date): string {
  const url = new URL(socketUrl);
  // Times from the adapter's clock, not the process's (`jwt.sign` would read the real one).
  const iat = Math.floor(now.getTime() / 1000);
  url.searchParams.set(PARAM, jwt.sign({ sub: url.pathname, aud: AUDIENCE, iat, exp: iat + SOCKET_TOKEN_TTL_SECONDS }, secret, { algorithm: 'HS256' }));
  return url.toString();
}

/** True for a socket URL whose token was signed with `secret`, for its own path, and has not expired. */
export function isSignedSocketUrl(socketUrl: string, secret: string, now: Date): boolean {
  const url = new URL(socketUrl);
  const token = url.searchParams.get(PARAM);
  if (!token) return false;
  try {
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'], audience: AUDIENCE, clockTimestamp: Math.floor(now.getTime() / 1000) });
    return typeof claims === 'object' && claims.sub === url.pathname;
  } catch {
    return false;
  }
}

/** Whether a request is a voice socket upgrade (a GET of a ws:// or wss:// URL carrying a token), not a webhook. */
export function isSocketUpgrade(method: string, socketUrl: string): boolean {
  const url = new URL(socketUrl);
  return method === 'GET' && /^wss?:$/.test(url.protocol) && url.searchParams.has(PARAM);
}
