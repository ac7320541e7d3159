import type { JSONRPCErrorResponse, JSONRPCMessage, JSONRPCRequest, JSONRPCResultResponse } from '@modelcontextprotocol/sdk/types.js';

/*
 * The kind of a JSON-RPC message already known to be one: parsed by JSONRPCMessageSchema (a strict union, so a
 * request has `method` and `id`, a notification `method` alone, an answer `result` or `error`), or written by the
 * SDK's own protocol layer. The SDK's guards (isJSONRPCRequest …) run a zod parse of the whole message each, the
 * answer's result included; the transport asked them three times per call on top of its own parse.
 */

export const isRequest = (message: JSONRPCMessage): message is JSONRPCRequest => 'method' in message && 'id' in message;

export const isAnswer = (message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse =>
  'result' in message || 'error' in message;
