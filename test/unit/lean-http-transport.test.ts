import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AnsweringTransport } from '../../hosts/mcp/answering-transport.js';
import { LeanHttpTransport } from '../../hosts/mcp/lean-http-transport.js';
import { routeRequestsDirectly } from '../../hosts/mcp/direct-requests.js';

type Kind = 'sdk' | 'lean' | 'answering';
type HttpTransport = StreamableHTTPServerTransport | LeanHttpTransport;

const SESSION = 'session-1';
const VERSION = '2025-06-18';

function transportOf(kind: Kind): HttpTransport {
  const options = { sessionIdGenerator: () => SESSION };
  if (kind === 'sdk') return new StreamableHTTPServerTransport(options);
  return kind === 'lean' ? new LeanHttpTransport(options) : new AnsweringTransport(options, 60_000);
}

interface Harness {
  url: string;
  transport: HttpTransport;
  errors: Error[];
  /** Resolves the tool call held by `hold` (the `slow` tool), or ends at once when none is held. */
  release: () => void;
  toolStarted: Promise<void>;
}

const open: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => {
    s.closeAllConnections();
    return new Promise((resolve) => s.close(resolve));
  }));
});

/**
 * One session's transport and SDK Server with two tools: `echo` answers at once, `slow` when released. `direct`:
 * requests go straight to the SDK's request entry (direct-requests.ts), as the host connects its sessions.
 */
async function serve(kind: Kind, direct = false): Promise<Harness> {
  const transport = transportOf(kind);
  const server = new Server({ name: 'transport-test', version: '1.0.0' }, { capabilities: { tools: {} } });
  const errors: Error[] = [];
  server.onerror = (err) => errors.push(err);
  let release = () => {};
  let started = () => {};
  const toolStarted = new Promise<void>((resolve) => (started = resolve));
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name === 'slow') {
      started();
      await new Promise<void>((resolve) => (release = resolve));
    }
    return { content: [{ type: 'text' as const, text: `answer to ${request.params.name}` }] };
  });
  await server.connect(transport);
  if (direct) expect(routeRequestsDirectly(server, transport)).toBe(true);
  // The host hands the transport the parsed body (the answering promise needs its ids); the plain transports
  // read it themselves here, to cover that path too.
  const http = createServer((req, res) => {
    if (kind !== 'answering' || req.method !== 'POST') return void transport.handleRequest(req, res);
    void (async () => {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      await transport.handleRequest(req, res, JSON.parse(text));
    })();
  });
  open.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return { url, transport, errors, release: () => release(), toolStarted };
}

const initialize = (id: number | string = 0) => ({
  jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'test', version: '1' } },
});
const call = (id: number | string, name = 'echo') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };

const HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-session-id': SESSION, 'mcp-protocol-version': VERSION };

function request(url: string, body: unknown, headers: Record<string, string | undefined> = {}, method = 'POST', signal?: AbortSignal): Promise<Response> {
  const merged = Object.fromEntries(Object.entries({ ...HEADERS, ...headers }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return fetch(url, { method, headers: merged, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), signal });
}

interface Outcome {
  status: number;
  type: string | null;
  session: string | null;
  allow: string | null;
  body: unknown;
}

/** What a client sees of an answer: status, the headers that matter, the JSON body or the SSE messages. */
async function outcome(res: Response): Promise<Outcome> {
  const text = await res.text();
  const type = res.headers.get('content-type');
  const body = type?.startsWith('text/event-stream')
    ? text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as unknown)
    : text === '' ? null : JSON.parse(text) as unknown;
  return { status: res.status, type, session: res.headers.get('mcp-session-id'), allow: res.headers.get('allow'), body };
}

/** The same exchanges, in order, against one session; every answer as the client sees it. */
async function exchange(kind: Kind, direct = false): Promise<Outcome[]> {
  const { url } = await serve(kind, direct);
  const seen: Outcome[] = [];
  const step = async (body: unknown, headers?: Record<string, string | undefined>, method?: string) => {
    seen.push(await outcome(await request(url, body, headers, method)));
  };
  await step(call(1)); // before initialize
  await step(initialize(), { 'mcp-session-id': undefined, 'mcp-protocol-version': undefined });
  await step(initialized);
  await step(call(2), { accept: 'application/json' });
  await step(call(3), { 'content-type': 'text/plain' });
  await step(call(4), { 'mcp-protocol-version': '1999-01-01' });
  await step(call(5), { 'mcp-session-id': 'another-session' });
  await step(call(6), { 'mcp-session-id': undefined });
  await step('{"jsonrpc": "2.0",');
  await step({ jsonrpc: '2.0', nothing: true });
  await step(Array.from({ length: 101 }, (_, i) => call(100 + i)));
  await step([call(7), call(8), initialized]);
  await step(call(9), { 'mcp-protocol-version': undefined });
  await step(initialize(10));
  await step(call(11), {}, 'PUT');
  await step(undefined, { accept: 'application/json' }, 'GET');
  await step(undefined, {}, 'DELETE');
  await step(call(12));
  return seen;
}

const jsonError = (status: number, code: number, message: string) => ({
  status, type: 'application/json', session: null, allow: null, body: { jsonrpc: '2.0', error: { code, message }, id: null },
});
const answer = (id: number, name = 'echo') => ({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `answer to ${name}` }] } });
const sse = (body: unknown[]) => ({ status: 200, type: 'text/event-stream', session: SESSION, allow: null, body });

describe('LeanHttpTransport: MCP Streamable HTTP on node request and response', () => {
  it('answers every exchange as the SDK\'s own transport does: status, headers, JSON-RPC errors, SSE answers', async () => {
    const sdk = await exchange('sdk');
    const lean = await exchange('lean');
    expect(lean).toEqual(sdk);
    // Requests handed straight to the SDK's request entry: the same answers to every exchange.
    expect(await exchange('lean', true)).toEqual(sdk);
    // And what that is, so that a change in the SDK shows here rather than passing unnoticed.
    const [beforeInit, init, notification, badAccept, badType, badVersion, unknownSession, noSession, badJson, badMessage,
      bigBatch, batch, noVersion, reinit, put, badGetAccept, del, afterDelete] = lean;
    expect(beforeInit).toEqual(jsonError(400, -32000, 'Bad Request: Server not initialized'));
    expect(init).toMatchObject({ status: 200, type: 'text/event-stream', session: SESSION });
    expect(notification).toEqual({ status: 202, type: null, session: null, allow: null, body: null });
    expect(badAccept).toEqual(jsonError(406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream'));
    expect(badType).toEqual(jsonError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json'));
    expect(badVersion?.status).toBe(400);
    expect(badVersion?.body).toMatchObject({ error: { code: -32000, message: expect.stringContaining('Unsupported protocol version: 1999-01-01') as string } });
    expect(unknownSession).toEqual(jsonError(404, -32001, 'Session not found'));
    expect(noSession).toEqual(jsonError(400, -32000, 'Bad Request: Mcp-Session-Id header is required'));
    expect(badJson).toEqual(jsonError(400, -32700, 'Parse error: Invalid JSON'));
    expect(badMessage).toEqual(jsonError(400, -32700, 'Parse error: Invalid JSON-RPC message'));
    expect(bigBatch).toEqual(jsonError(400, -32600, 'Invalid Request: Batch must not exceed 100 messages'));
    expect(batch).toEqual(sse([answer(7), answer(8)]));
    expect(noVersion).toEqual(sse([answer(9)]));
    expect(reinit).toEqual(jsonError(400, -32600, 'Invalid Request: Server already initialized'));
    expect(put).toEqual({ ...jsonError(405, -32000, 'Method not allowed.'), allow: 'GET, POST, DELETE' });
    expect(badGetAccept).toEqual(jsonError(406, -32000, 'Not Acceptable: Client must accept text/event-stream'));
    expect(del).toMatchObject({ status: 200, body: null });
    expect(afterDelete).toEqual(jsonError(404, -32001, 'Session not found'));
  });

  it('keeps one GET stream per session (409 for a second), sends server notifications on it, and lets a new one open once it is gone', async () => {
    for (const kind of ['sdk', 'lean'] as const) {
      const { url, transport } = await serve(kind);
      await (await request(url, initialize(), { 'mcp-session-id': undefined })).text();
      const first = new AbortController();
      const stream = await request(url, undefined, {}, 'GET', first.signal);
      expect(stream.status, kind).toBe(200);
      expect(stream.headers.get('content-type'), kind).toBe('text/event-stream');
      const second = await outcome(await request(url, undefined, {}, 'GET'));
      expect(second, kind).toEqual(jsonError(409, -32000, 'Conflict: Only one SSE stream is allowed per session'));
      const reader = stream.body!.getReader();
      await transport.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
      const { value } = await reader.read();
      expect(new TextDecoder().decode(value), kind).toBe('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n');
      first.abort();
      await expect.poll(async () => {
        const again = await request(url, undefined, {}, 'GET', AbortSignal.timeout(200)).catch(() => undefined);
        return again?.status;
      }, { timeout: 5000 }).toBe(200);
    }
  });

  it('releases a request whose client hung up mid-answer; its late result has nowhere to go and is reported', async () => {
    const { url, transport, errors, release, toolStarted } = await serve('lean');
    await (await request(url, initialize(), { 'mcp-session-id': undefined })).text();
    const gone = new AbortController();
    const pending = request(url, call(1, 'slow'), {}, 'POST', gone.signal).then((r) => r.text()).catch((err: unknown) => err);
    await toolStarted;
    expect((transport as LeanHttpTransport).heldStreams).toBe(1);
    gone.abort();
    await pending;
    await expect.poll(() => (transport as LeanHttpTransport).heldStreams, { timeout: 5000 }).toBe(0);
    release();
    await expect.poll(() => errors.map((e) => e.message).join('\n'), { timeout: 5000 }).toContain('No connection established for request ID: 1');
    // The session goes on: the same id can be used again.
    expect(await outcome(await request(url, call(1)))).toEqual(sse([answer(1)]));
  });

  it.each([false, true])('with the answering promise: refuses an id in flight (409), and a hung-up request is cancelled, not reported (requests straight to the SDK entry: %s)', async (direct) => {
    const { url, transport, errors, release, toolStarted } = await serve('answering', direct);
    await (await request(url, initialize(), { 'mcp-session-id': undefined })).text();
    const gone = new AbortController();
    const pending = request(url, call(5, 'slow'), {}, 'POST', gone.signal).then((r) => r.text()).catch((err: unknown) => err);
    await toolStarted;
    const twice = await outcome(await request(url, call(5)));
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ id: 5, error: { code: -32600, data: { code: 'REQUEST_ID_IN_FLIGHT' } } });
    gone.abort();
    await pending;
    await expect.poll(() => (transport as AnsweringTransport).inFlightCount, { timeout: 5000 }).toBe(0);
    release();
    expect(await outcome(await request(url, call(5)))).toEqual(sse([answer(5)]));
    expect(errors.map((e) => e.message).filter((m) => m.includes('No connection'))).toEqual([]);
    expect((transport as AnsweringTransport).heldStreams).toBe(0);
  });

  it('answers a batch on one stream, with each answer as it comes, and ends it with the last', async () => {
    const { url, release, toolStarted } = await serve('lean');
    await (await request(url, initialize(), { 'mcp-session-id': undefined })).text();
    const res = await request(url, [call(1, 'slow'), call(2)]);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"id":2');
    await toolStarted;
    release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain('"id":1');
  });
});
