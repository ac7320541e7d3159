import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCRequest, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { isRequest } from './jsonrpc-kind.js';

/** The SDK protocol layer's own entry for a request (SDK 1.32: `Protocol._onrequest`, TypeScript-private). */
type RequestEntry = (request: JSONRPCRequest, extra?: MessageExtraInfo) => void;

/**
 * Hands requests from `transport` straight to the protocol layer's request entry. The SDK's `connect` sets
 * `transport.onmessage` to a function that tells a message's kind by three zod parses of it: "is it a result?",
 * "an error?", then "a request?". For every request the first two fail, and a failing zod parse builds its issues
 * and their messages: ~5 µs each, more than the rest of the dispatch. The transport passes only messages
 * JSONRPCMessageSchema has parsed (a strict union), so a message with `method` and `id` is a request, told by its keys;
 * the protocol layer then runs it exactly as its own dispatch would. Anything else (notifications, answers to the
 * server's own requests) takes the SDK's path. Call right after `server.connect(transport)`; returns whether
 * requests now go straight in (false: this SDK has no such entry, and its own path stays, as before).
 */
export function routeRequestsDirectly(server: object, transport: Transport): boolean {
  const entry = (server as unknown as { _onrequest?: RequestEntry })._onrequest;
  const sdkDispatch = transport.onmessage;
  if (typeof entry !== 'function' || !sdkDispatch) return false;
  transport.onmessage = (message, extra) => {
    if (isRequest(message)) entry.call(server, message, extra);
    else sdkDispatch(message, extra);
  };
  return true;
}
