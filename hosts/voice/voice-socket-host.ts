import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CorePorts } from '../../core/context.js';
import type { ConversationOutput } from '../../core/conversation/conversation-output.js';
import type { LiveConversation } from '../../core/conversation/live-conversation.js';
import { endConversation, startConversation } from '../../core/conversation/start-conversation.js';
import { callTelephony } from '../../core/customers/webhook-account.js';
import { isDomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import { mediaFraming } from './media-framing.js';
import { MediaStreamSession } from './media-stream-session.js';
import { parseRelayMessage, type RelayMessage } from './relay-messages.js';

/** ConversationRelay (text) or a bidirectional media stream (audio), each bound to one call. */
const SOCKET_PATH = /^\/voice\/(relay|media)\/([A-Za-z0-9_-]{1,100})$/;
/** WebSocket close codes: 1008 policy violation (refused setup), 1011 server error. */
const CLOSE_REFUSED = 1008;
const CLOSE_ERROR = 1011;

/**
 * The voice socket host: Twilio ConversationRelay or a Media Stream connects here once a call is answered.
 * It checks the provider's signature on the upgrade, translates the relay protocol to core calls (setup,
 * prompt, interrupt, dtmf) and core's output back to protocol messages, or hands a media stream to its
 * session (our own recogniser and voice). It holds no conversation logic.
 */
export class VoiceSocketHost {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  constructor(private readonly ports: CorePorts, private readonly logger: Logger) {}

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      this.upgrade(req, socket, head).catch((err: unknown) => {
        this.logger.warn({ code: isDomainError(err) ? err.code : 'INTERNAL' }, 'voice socket upgrade failed');
        refuse(socket, 500, 'Internal Server Error');
      });
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = SOCKET_PATH.exec(url.pathname);
    if (!match) return refuse(socket, 404, 'Not Found');
    // A call of an agent in a subaccount is signed with the subaccount's token.
    const telephony = await callTelephony(this.ports, match[2]!);
    // The provider signs the public wss:// URL it was given (Vonage, which signs nothing here, is given a URL carrying its adapter's signed token).
    const signedUrl = `${this.ports.settings.publicBaseUrl.replace(/^http/, 'ws')}${req.url ?? ''}`;
    const headers = req.headers as Record<string, string | undefined>;
    if (!telephony || !telephony.port.verifyWebhook({ url: signedUrl, method: 'GET', headers, rawBody: '', params: {} })) {
      this.logger.warn({ path: url.pathname }, 'voice socket upgrade refused: bad signature');
      return refuse(socket, 403, 'Forbidden');
    }
    const [, kind, callId] = match as unknown as [string, 'relay' | 'media', string];
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (kind === 'media') new MediaStreamSession(this.ports, ws, callId, this.logger, mediaFraming(telephony.port.capabilities.mediaStream));
      else this.serve(ws, callId);
    });
  }

  private serve(ws: WebSocket, callId: string): void {
    let conversation: LiveConversation | null = null;
    let starting: Promise<void> | null = null;
    // Prompts can arrive right behind the setup, before the conversation is loaded: keep them in order.
    const early: RelayMessage[] = [];
    const output = relayOutput(ws);
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? null : parseRelayMessage(data.toString());
      if (!message) {
        // Malformed input is the peer's bug: say so in the log, keep the call alive.
        this.logger.warn({ callId }, 'voice socket: ignored a malformed message');
        return;
      }
      if (message.type === 'setup') {
        if (starting) return;
        starting = startConversation(this.ports, callId, message.callSid, output).then(
          (started) => {
            conversation = started;
            if (ws.readyState !== ws.OPEN) void endConversation(this.ports, started);
            for (const pending of early.splice(0)) dispatch(started, pending, this.logger, callId);
          },
          (err: unknown) => {
            this.logger.warn({ callId, code: isDomainError(err) ? err.code : 'INTERNAL' }, 'voice socket: setup refused');
            ws.close(isDomainError(err) && err.code !== 'INTERNAL' ? CLOSE_REFUSED : CLOSE_ERROR, 'setup refused');
          },
        );
        return;
      }
      if (!conversation) {
        if (starting) early.push(message);
        else this.logger.warn({ callId, type: message.type }, 'voice socket: message before setup ignored');
        return;
      }
      dispatch(conversation, message, this.logger, callId);
    });
    ws.on('close', () => {
      if (conversation) void endConversation(this.ports, conversation);
    });
    ws.on('error', (err) => this.logger.warn({ callId, err: err.message }, 'voice socket error'));
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function dispatch(conversation: LiveConversation, message: RelayMessage, logger: Logger, callId: string): void {
  switch (message.type) {
    case 'prompt':
      if (message.last) conversation.prompt(message.voicePrompt);
      return;
    case 'interrupt':
      conversation.interrupt(message.utteranceUntilInterrupt);
      return;
    case 'dtmf':
      conversation.dtmf(message.digit);
      return;
    case 'error':
      logger.warn({ callId, description: message.description }, 'voice socket: provider reported an error');
      return;
    case 'setup':
      return;
  }
}

/** Core's output as ConversationRelay messages. */
function relayOutput(ws: WebSocket): ConversationOutput {
  const send = (message: object): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  return {
    text: (token, last) => send({ type: 'text', token, last }),
    end: (handoffData) => send({ type: 'end', handoffData }),
    sendDigits: (digits) => send({ type: 'sendDigits', digits }),
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
