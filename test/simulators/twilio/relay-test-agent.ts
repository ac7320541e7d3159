import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import twilio from 'twilio';
import WebSocket, { WebSocketServer } from 'ws';
import { parseForm, type FormParams } from './form-params.js';

/** A request our side received, as the simulator sent it. */
export interface AgentWebhook {
  path: string;
  url: string;
  method: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  params: FormParams;
  signatureValid: boolean;
}

/** An upgrade request to the relay path, with the signature check's verdict. */
export interface AgentUpgrade {
  url: string;
  signature: string | undefined;
  accepted: boolean;
}

function singleParams(params: FormParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? '') : value]));
}

/**
 * A tiny stand-in for our server, for testing the simulator's caller side: it answers the voice webhook with
 * `<Connect><ConversationRelay>`, checks the upgrade signature with `twilio.validateRequest(token, sig, wsUrl, {})`,
 * streams scripted replies token by token, and answers the `<Connect action>` with `actionTwiml`.
 */
export class RelayTestAgent {
  readonly webhooks: AgentWebhook[] = [];
  readonly upgrades: AgentUpgrade[] = [];
  /** Messages received on each call's socket, by CallSid (from the setup message). */
  readonly messages = new Map<string, Record<string, unknown>[]>();
  readonly sockets = new Map<string, WebSocket>();
  /** Close codes of the sockets the simulator closed, by CallSid. */
  readonly closed = new Map<string, number>();
  /** Tokens streamed in answer to a prompt (or a key press). */
  reply: (input: string) => string[] = (input) => ['You ', 'said: ', input];
  /** Pause between tokens (ms), so that a reply can be interrupted in the middle. */
  tokenDelayMs = 0;
  actionTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
  greeting: string | null = 'Hello, you reached the test agent.';
  /** The answer to the voice webhook; by default `conversationTwiml` for `call_<CallSid>`. */
  voiceTwiml: ((params: FormParams) => string) | null = null;
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private origin = '';

  constructor(private readonly authToken: string) {}

  get baseUrl(): string {
    return this.origin;
  }

  get wsBase(): string {
    return this.origin.replace(/^http/, 'ws');
  }

  relayUrl(callId: string): string {
    return `${this.wsBase}/voice/relay/${callId}`;
  }

  /** The ConversationRelay TwiML this agent answers with. */
  conversationTwiml(callId: string): string {
    const response = new twilio.twiml.VoiceResponse();
    const relay = response.connect({ action: `${this.baseUrl}/voice/action` }).conversationRelay({
      url: this.relayUrl(callId),
      ...(this.greeting ? { welcomeGreeting: this.greeting } : {}),
      language: 'en-US',
      interruptible: 'speech',
      dtmfDetection: true,
    });
    relay.parameter({ name: 'callId', value: callId });
    return response.toString();
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const answer = this.webhook(req, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(answer.status, { 'content-type': 'text/xml' });
        res.end(answer.body);
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  reset(): void {
    for (const socket of this.wss.clients) socket.terminate();
    this.webhooks.length = 0;
    this.upgrades.length = 0;
    this.messages.clear();
    this.sockets.clear();
    this.closed.clear();
    this.reply = (input) => ['You ', 'said: ', input];
    this.tokenDelayMs = 0;
    this.actionTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    this.greeting = 'Hello, you reached the test agent.';
    this.voiceTwiml = null;
  }

  /** Sends any message on a call's socket, as our server would. */
  send(callSid: string, message: Record<string, unknown> | string): void {
    const socket = this.sockets.get(callSid);
    if (!socket) throw new Error(`no socket for ${callSid}`);
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  received(callSid: string): Record<string, unknown>[] {
    return this.messages.get(callSid) ?? [];
  }

  private webhook(req: IncomingMessage, rawBody: string): { status: number; body: string } {
    const target = new URL(req.url ?? '/', this.baseUrl);
    const url = `${this.baseUrl}${req.url ?? '/'}`;
    const params = parseForm(rawBody);
    const signature = req.headers['x-twilio-signature'];
    const signatureValid = typeof signature === 'string' && twilio.validateRequest(this.authToken, signature, url, singleParams(params));
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    this.webhooks.push({ path: target.pathname, url, method: req.method ?? 'POST', headers, rawBody, params, signatureValid });
    if (!signatureValid) return { status: 403, body: '' };
    if (target.pathname === '/voice') {
      return { status: 200, body: this.voiceTwiml?.(params) ?? this.conversationTwiml(`call_${String(params.CallSid ?? '')}`) };
    }
    if (target.pathname === '/voice/action') return { status: 200, body: this.actionTwiml };
    return { status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = `${this.wsBase}${req.url ?? '/'}`;
    const signature = typeof req.headers['x-twilio-signature'] === 'string' ? req.headers['x-twilio-signature'] : undefined;
    const accepted = signature !== undefined && twilio.validateRequest(this.authToken, signature, url, {});
    this.upgrades.push({ url, signature, accepted });
    if (!accepted) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws));
  }

  private session(ws: WebSocket): void {
    let callSid = '';
    let streaming: { stopped: boolean } | null = null;
    const stream = async (tokens: string[]) => {
      const current = { stopped: false };
      streaming = current;
      for (const [index, token] of tokens.entries()) {
        if (current.stopped) return;
        if (this.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
        if (current.stopped || ws.readyState !== WebSocket.OPEN) return;
        ws.send(JSON.stringify({ type: 'text', token, last: index === tokens.length - 1 }));
      }
    };
    ws.on('message', (data) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        message = { unparsable: data.toString() };
      }
      if (message.type === 'setup') {
        callSid = String(message.callSid);
        this.sockets.set(callSid, ws);
      }
      const list = this.messages.get(callSid) ?? [];
      list.push(message);
      this.messages.set(callSid, list);
      if (message.type === 'prompt') void stream(this.reply(String(message.voicePrompt)));
      if (message.type === 'dtmf') void stream(this.reply(`key ${String(message.digit)}`));
      if (message.type === 'interrupt' && streaming) streaming.stopped = true;
    });
    ws.on('close', (code) => this.closed.set(callSid, code));
  }
}
