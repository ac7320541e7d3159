import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Reads one HTTP response's status line off a raw socket, or reports that the server closed it. */
function nextStatus(socket: Socket): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(seen);
      if (match && seen.includes('\r\n\r\n')) done(Number(match[1]));
    };
    const onClose = () => done('closed');
    const done = (result: number | 'closed') => {
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(result);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

describe('a body refused mid-way on a keep-alive connection', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ extra: { server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 2048 } } });
    ({ token } = await server.createAgent({ name: 'limits', phone: '+15550100140' }));
  });
  afterAll(() => server.close());

  it('answers 413 and closes the connection, so that no next request waits on it for ever', async () => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    const answers: Array<number | 'closed'> = [];
    const first = nextStatus(socket);
    socket.write(`POST /api/v1/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n`
      + 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n');
    const chunk = 'x'.repeat(4096);
    socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    answers.push(await first);
    // Whatever the client does next on this connection gets an answer or a close, never silence.
    const second = nextStatus(socket);
    if (!socket.destroyed) socket.write('0\r\n\r\nGET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    answers.push(await second);
    socket.destroy();
    expect(answers).toEqual([413, 'closed']);
  });
});
