/** Raw MCP Streamable HTTP requests, for tests that need control over ids, headers and timing. */

export const PROTOCOL = '2025-06-18';

export interface RawMcp {
  sessionId: string;
  /** POSTs a JSON-RPC message (or batch) in the session. */
  post(body: unknown, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  /** Ends the session. */
  remove(): Promise<Response>;
}

function headersFor(token: string, sessionId?: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL } : {}),
  };
}

export const initializeRequest = (id: number | string = 0) => ({
  jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw-test', version: '1' } },
});

export async function openRawSession(baseUrl: string, token: string): Promise<RawMcp> {
  const init = await fetch(`${baseUrl}/mcp`, { method: 'POST', headers: headersFor(token), body: JSON.stringify(initializeRequest()) });
  const sessionId = init.headers.get('mcp-session-id');
  await init.text();
  if (!sessionId) throw new Error(`initialize failed: ${init.status}`);
  const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${baseUrl}/mcp`, { method: 'POST', headers: { ...headersFor(token, sessionId), ...headers }, body: JSON.stringify(body), signal });
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).text();
  return {
    sessionId,
    post,
    remove: () => fetch(`${baseUrl}/mcp`, { method: 'DELETE', headers: headersFor(token, sessionId) }),
  };
}

export interface JsonRpcAnswer {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: { code: string; message: string; nextStep: string | null } };
}

/** The JSON-RPC messages of an answer, whether a JSON body or an SSE stream. */
export async function answersOf(res: Response): Promise<JsonRpcAnswer[]> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return text.split('\n').filter((line) => line.startsWith('data: ') && line.length > 6).map((line) => JSON.parse(line.slice(6)) as JsonRpcAnswer);
  }
  const parsed = JSON.parse(text) as JsonRpcAnswer | JsonRpcAnswer[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

export const toolCall = (id: number | string, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args },
});
