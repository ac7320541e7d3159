import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { IncomingLlmRequest, ParsedLlmRequest, ProviderRefusal, SimulatorDialect, StreamFraming } from './llm-dialect.js';
import { sseEvent } from './llm-dialect.js';
import { isRecord } from './message-content.js';
import type { LlmFault } from './scripted-reply.js';

/** How the agent answers: Server-Sent Events, chunked plain text, or one JSON object. */
export type AgentReplyMode = 'sse' | 'text' | 'json';

export interface AgentTurnSettings {
  mode: AgentReplyMode;
  /** Send `data: [DONE]` at the end of an SSE reply (it is optional in the protocol). */
  sendDone: boolean;
}

function refusal(status: number, message: string): { refusal: ProviderRefusal } {
  return { refusal: { status, errorType: status === 401 ? 'invalid_signature' : 'invalid_request', message } };
}

/**
 * An agent's voice-turn endpoint, as an agent author would write it: checks the Standard Webhooks signature with
 * the `standardwebhooks` package, reads `{type:"voice.turn", …}`, and streams its words back.
 */
export function agentTurnDialect(secret: string, settings: AgentTurnSettings): SimulatorDialect {
  const webhook = new Webhook(secret);
  return {
    requestIdHeader: 'x-agent-request-id',
    newRequestId: () => `areq_${randomBytes(8).toString('hex')}`,

    accept(incoming: IncomingLlmRequest) {
      if (incoming.method !== 'POST') return refusal(405, 'POST only');
      try {
        webhook.verify(incoming.rawBody, incoming.headers);
      } catch {
        return refusal(401, 'invalid signature');
      }
      let body: unknown;
      try {
        body = JSON.parse(incoming.rawBody);
      } catch {
        return refusal(400, 'not JSON');
      }
      if (!isRecord(body) || body.type !== 'voice.turn' || typeof body.instructions !== 'string' || !Array.isArray(body.history)) {
        return refusal(400, 'not a voice.turn');
      }
      const messages: { role: string; content: string }[] = [];
      for (const turn of body.history) {
        if (!isRecord(turn) || (turn.role !== 'user' && turn.role !== 'assistant') || typeof turn.text !== 'string') return refusal(400, 'bad history');
        messages.push({ role: turn.role, content: turn.text });
      }
      return {
        request: {
          model: 'agent', stream: settings.mode !== 'json', maxTokens: null, temperature: null, system: body.instructions, messages, raw: body,
        },
      };
    },

    faultRefusal(fault: Extract<LlmFault, { kind: 'status' }>): ProviderRefusal {
      return { status: fault.status, errorType: fault.errorType ?? 'agent_error', message: fault.message ?? `agent says ${fault.status}`, retryAfterSeconds: fault.retryAfterSeconds };
    },

    midStreamRefusal(): ProviderRefusal {
      return { status: 500, errorType: 'agent_error', message: 'agent failed' };
    },

    refusalBody(r: ProviderRefusal) {
      return { error: r.message };
    },

    streamFraming(): StreamFraming {
      if (settings.mode === 'text') {
        return {
          contentType: 'text/plain; charset=utf-8',
          begin: () => '',
          token: (text) => text,
          // Plain text has no way to say "failed": the agent can only cut the connection.
          error: () => null,
          end: () => '',
        };
      }
      return {
        begin: () => ': agent is thinking\n\n',
        token: (text) => sseEvent({ text }),
        error: (_type, message) => sseEvent({ message: message ?? 'agent failed' }, 'error'),
        end: () => (settings.sendDone ? sseEvent('[DONE]') : ''),
      };
    },

    completion(_request: ParsedLlmRequest, tokens: string[]) {
      return { text: tokens.join('') };
    },
  };
}
