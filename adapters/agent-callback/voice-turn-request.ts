import { Webhook } from 'standardwebhooks';
import type { BrainRequest } from '../../ports/brain.js';

/** The JSON body POSTed to the agent for each turn of a call. */
export interface VoiceTurnPayload {
  type: 'voice.turn';
  callId: string;
  agentId: string;
  instructions: string;
  history: BrainRequest['history'];
}

/** What the agent may answer with, in our order of preference. */
export const VOICE_TURN_ACCEPT = 'text/event-stream, text/plain;q=0.9, application/json;q=0.8';

/** The agent's URL with the configured suffix added to its path (its query string is kept); null unless http(s). */
export function voiceTurnUrl(callbackUrl: string, pathSuffix: string): URL | null {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (pathSuffix) url.pathname = `${url.pathname.replace(/\/+$/, '')}${pathSuffix}`;
  return url;
}

/**
 * Body and headers of one turn, signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256>`), exactly like the server's other callbacks, so the agent
 * verifies them with the same code and the same secret.
 */
export function signedVoiceTurn(
  request: BrainRequest,
  signing: { id: string; timestamp: Date; secret: string },
): { body: string; headers: Record<string, string> } {
  const payload: VoiceTurnPayload = {
    type: 'voice.turn',
    callId: request.callId,
    agentId: request.agentId,
    instructions: request.instructions,
    history: request.history.map((turn) => ({ role: turn.role, text: turn.text })),
  };
  const body = JSON.stringify(payload);
  const seconds = Math.floor(signing.timestamp.getTime() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      accept: VOICE_TURN_ACCEPT,
      'user-agent': 'agentos-comms',
      'webhook-id': signing.id,
      'webhook-timestamp': String(seconds),
      'webhook-signature': new Webhook(signing.secret).sign(signing.id, new Date(seconds * 1000), body),
    },
  };
}
