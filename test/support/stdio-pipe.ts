import { PassThrough } from 'node:stream';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The two pipes of an MCP stdio connection inside the test process: the server side is given to
 * runStdioHost as its stdin/stdout (the SDK's StdioServerTransport, newline-delimited JSON), the client
 * side speaks the same framing. For a server that must share this process with the HTTP host receiving
 * the webhooks.
 */
export function stdioPipe(): { server: { stdin: PassThrough; stdout: PassThrough }; client: Transport } {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const buffer = new ReadBuffer();
  const client: Transport = {
    async start() {
      fromServer.on('data', (chunk: Buffer) => {
        buffer.append(chunk);
        for (let message = buffer.readMessage(); message; message = buffer.readMessage()) client.onmessage?.(message);
      });
    },
    async send(message: JSONRPCMessage) {
      toServer.write(serializeMessage(message));
    },
    async close() {
      // The end of stdin is how a stdio server learns its client has gone.
      toServer.end();
      fromServer.removeAllListeners('data');
      client.onclose?.();
    },
  };
  return { server: { stdin: toServer, stdout: fromServer }, client };
}
